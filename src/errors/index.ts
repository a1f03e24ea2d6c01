export { errorKinds, upstreamCredentialsRefused, type ErrorCode, type ErrorKind } from './codes.js';
export { GatewayError, normalizeError, type GatewayErrorOptions } from './gateway-error.js';
