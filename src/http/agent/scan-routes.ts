import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import type { GatewayError } from '../../errors/index.js';
import { earlyAuthenticationBy } from '../early-authentication.js';
import { renderError } from '../render-error.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What the scan routes need from the guard and the keys, declared structurally so http/ imports
 * no feature module (the guard's ScanService and the key service satisfy them).
 */
export type ScanRouteOutcome =
  | { readonly type: 'answered'; readonly answer: object }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface ScanOperations {
  scanInput(body: unknown, caller: ScanRouteCaller): ScanRouteOutcome;
  scanOutput(body: unknown, caller: ScanRouteCaller): ScanRouteOutcome;
}

export interface ScanRouteCaller {
  readonly keyId: string;
  readonly requestId: string;
}

type Authenticated =
  | { readonly type: 'authenticated'; readonly principal: { readonly keyId: string } }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface ScanCallers {
  authenticate(headers: Headers): Authenticated | Promise<Authenticated>;
}

export interface ScanRoutesDependencies {
  readonly scans: ScanOperations;
  readonly keys: ScanCallers;
  /** Errors are written in the OpenAI dialect, like the other agent routes'. */
  readonly codec: DialectCodec;
}

/**
 * `POST /v1/scan/input` and `POST /v1/scan/output`: any valid key may ask whether a text is a
 * prompt injection. The answer is 200 whatever the verdict (`safe`, `detected`, `score`, ...);
 * refusals (400, 401, 413, 503) are errors in the gateway's one JSON shape. The body limit is the
 * server's, and the text's length is bounded by `guard.injection.max_scan_chars`.
 */
export function registerScanRoutes(app: FastifyInstance, dependencies: ScanRoutesDependencies): void {
  const { scans, keys, codec } = dependencies;
  // Checked before the body is read, by the same keys the handlers ask.
  const config = { earlyAuthentication: earlyAuthenticationBy(keys) };
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  function route(path: string, scan: (body: unknown, caller: ScanRouteCaller) => ScanRouteOutcome) {
    app.post(path, { config }, async (request, reply) => {
      const authenticated = await keys.authenticate(request.headers);
      if (authenticated.type === 'rejected') return fail(request, reply, authenticated.error);
      const outcome = scan(request.body, { keyId: authenticated.principal.keyId, requestId: request.id });
      return outcome.type === 'answered' ? reply.send(outcome.answer) : fail(request, reply, outcome.error);
    });
  }

  route('/v1/scan/input', (body, caller) => scans.scanInput(body, caller));
  route('/v1/scan/output', (body, caller) => scans.scanOutput(body, caller));
}
