export { buildApp, type AppDependencies, type AppSettings } from './app.js';
export type { Readiness } from './health-routes.js';
