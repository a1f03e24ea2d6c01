/**
 * Request headers passed on to the upstream: trace context, the dialect's own version and beta
 * switches, and the mock provider's fault switches. Credentials never pass (adapters attach the
 * provider's own); everything else stays at the gateway.
 */
const forwarded = [
  'traceparent',
  'tracestate',
  'anthropic-version',
  'anthropic-beta',
  'openai-beta',
] as const;

export function forwardHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  requestId: string,
): Record<string, string> {
  const out: Record<string, string> = { 'x-request-id': requestId };
  for (const name of forwarded) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  for (const name in headers) {
    if (name.startsWith('x-mock-')) {
      const value = headers[name];
      if (typeof value === 'string') out[name] = value;
    }
  }
  return out;
}
