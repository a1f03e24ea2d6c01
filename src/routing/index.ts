export { createModelResolver, type ModelResolver } from './model-resolver.js';
export { createRouter, type Router, type RouterDependencies } from './router.js';
export type { Answered, ModelRoute, RouteCall, RouteOutcome, StreamSummary, Target } from './types.js';
