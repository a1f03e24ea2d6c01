import { errorKinds, type ErrorCode } from './codes.js';

export interface GatewayErrorOptions {
  /** The request field the error is about (`error.param` in the OpenAI dialect). */
  readonly param?: string;
  /** An upstream's own status, kept when the error came from a provider. */
  readonly status?: number;
  /** An upstream's own error type, kept when the error came from a provider. */
  readonly upstreamType?: string;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

/**
 * The one error type. Expected outcomes are values; this is what they carry when they are
 * failures, and what unexpected throws are normalised into before rendering.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly upstreamType: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? errorKinds[code].status;
    this.param = options.param;
    this.upstreamType = options.upstreamType;
    this.headers = options.headers ?? {};
  }
}

/** Anything thrown becomes a GatewayError; unknown throws never leak their message or stack. */
export function normalizeError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal_error', 'The gateway failed to process the request.', { cause: error });
}
