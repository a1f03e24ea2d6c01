import type { Logger } from 'pino';
import type { GatewayError } from '../errors/index.js';

/**
 * The one log line of a request refused before the pipeline. The route is the matched pattern,
 * never the raw URL: a query string may carry anything, a key included.
 */
export function logRejected(
  logger: Logger,
  requestId: string,
  route: string | undefined,
  error: GatewayError,
): void {
  logger.info(
    { request_id: requestId, route: route ?? '<unmatched>', status: error.status, error_code: error.code },
    'request',
  );
}
