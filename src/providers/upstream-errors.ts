import { GatewayError, upstreamCredentialsRefused, type ErrorCode } from '../errors/index.js';

/**
 * Reads a provider's error response into a GatewayError that keeps the provider's status, type and
 * message. Both wire shapes are recognised here because OpenAI-compatible servers and proxies in
 * front of Anthropic mix them; provider-specific quirks stay in the provider's folder.
 */
export function upstreamHttpError(providerName: string, status: number, bodyText: string): GatewayError {
  if (status === 401 || status === 403) {
    // The gateway's own credentials were refused. The provider's message may quote the key, and
    // the caller can do nothing about it: say what happened, never what the provider said. Its
    // words go with the error as its cause, for the server log (which masks credentials).
    const said = readErrorBody(bodyText).message;
    return new GatewayError(
      'upstream_error',
      `Provider ${providerName} refused the gateway's credentials (HTTP ${status}); the gateway's provider configuration needs attention.`,
      {
        status: 502,
        upstreamType: upstreamCredentialsRefused,
        ...(said === undefined ? {} : { cause: new Error(said) }),
      },
    );
  }
  if (status < 400) {
    // A redirect or another non-success the gateway does not follow: the provider's fault, not
    // the caller's, and never a status to hand on (a 3xx without its Location means nothing).
    return new GatewayError(
      'upstream_error',
      `Provider ${providerName} answered with HTTP ${status}, which the gateway does not follow.`,
      { status: 502 },
    );
  }
  const details = readErrorBody(bodyText);
  const message = details.message ?? `Provider ${providerName} answered with HTTP ${status}.`;
  return new GatewayError(classify(status, details, message), message, {
    status,
    ...(details.type === undefined ? {} : { upstreamType: details.type }),
    ...(details.param === undefined ? {} : { param: details.param }),
  });
}

interface ErrorDetails {
  readonly message?: string;
  readonly type?: string;
  readonly code?: string;
  readonly param?: string;
}

function readErrorBody(bodyText: string): ErrorDetails {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    const text = bodyText.trim().slice(0, 500);
    return text === '' ? {} : { message: text };
  }
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : undefined;
  if (error === undefined) return {};
  return {
    ...stringField(error, 'message'),
    ...stringField(error, 'type'),
    ...stringField(error, 'code'),
    ...stringField(error, 'param'),
  };
}

const contentPolicyCodes = new Set([
  'content_filter',
  'content_policy_violation',
  'ResponsibleAIPolicyViolation',
]);

function classify(status: number, details: ErrorDetails, message: string): ErrorCode {
  const code = details.code ?? '';
  if (status === 429) return 'upstream_rate_limited';
  if (status === 400 || status === 413 || status === 422) {
    if (
      code === 'context_length_exceeded' ||
      /prompt is too long|context length|maximum context/i.test(message)
    ) {
      return 'context_length_exceeded';
    }
    if (contentPolicyCodes.has(code) || /content (management )?polic|safety system/i.test(message)) {
      return 'content_policy';
    }
  }
  if (status === 408 || status === 504) return 'upstream_timeout';
  if (status === 503 || status === 529) return 'upstream_unavailable';
  if (status >= 500) return 'upstream_error';
  return 'invalid_request';
}

/** `retry-after-ms` (OpenAI, Azure) wins over `retry-after` (RFC 9110: seconds or an HTTP date). */
export function retryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number,
): number | undefined {
  const milliseconds = firstHeader(headers['retry-after-ms']);
  if (milliseconds !== undefined) {
    const value = Number(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = firstHeader(headers['retry-after']);
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, field: keyof ErrorDetails): ErrorDetails {
  const value = record[field];
  return typeof value === 'string' && value !== '' ? { [field]: value } : {};
}
