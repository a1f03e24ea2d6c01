export { createMockAdapter, type MockAdapterOptions } from './mock-adapter.js';
export { connectionResetError, type MockBody } from './mock-body.js';
export { embedText, defaultEmbeddingDimensions } from './mock-embeddings.js';
export {
  emptyFaultPlan,
  mergeFaultPlans,
  parseFaultHeader,
  parseFaultModelName,
  type FaultHeaderParse,
  type MockFault,
  type MockFaultKind,
  type MockFaultPlan,
} from './mock-faults.js';
export { isMockModelName, mockModelNames } from './mock-models.js';
export {
  createMockResponder,
  type MockOperation,
  type MockRequest,
  type MockResponder,
  type MockResponderOptions,
  type MockResult,
} from './mock-responder.js';
export { startMockServer, type MockServer, type MockServerOptions } from './mock-server.js';
export { generateArguments } from './mock-tool-arguments.js';
