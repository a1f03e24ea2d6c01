import { GatewayError } from '../errors/index.js';
import type { UpstreamOutcome } from './contract.js';

/**
 * A name (a model, a deployment) as one segment of an upstream URL path, or a refusal. Percent-
 * encoding keeps `/`, `?` and `#` inside the segment, but no encoding makes `.` or `..` safe: a
 * server (or a proxy before it) resolves dot segments, RFC 3986 section 5.2.4, and many decode
 * `%2E` first, so the request with the gateway's credentials would reach another path. Such a
 * name is refused (the configuration refuses it too; this covers names a caller chooses, as in
 * `azure/..`).
 */
export function pathSegment(name: string, providerName: string): string | UpstreamOutcome {
  if (name !== '' && name !== '.' && name !== '..') return encodeURIComponent(name);
  return {
    ok: false,
    failure: {
      kind: 'http',
      error: new GatewayError(
        'invalid_request',
        `The model name '${name}' cannot name a deployment of provider ${providerName}: it is empty or a dot segment.`,
        { param: 'model' },
      ),
    },
  };
}
