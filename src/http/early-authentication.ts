import type { GatewayError } from '../errors/index.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * How a route's callers are checked before its body is read. Every route with a body is checked
 * by the app (admin routes as admins, the rest by the pipeline's authenticator); a route whose
 * callers may present something else (a delegation grant on the agent routes) names its own check
 * in its config, and the app asks that instead.
 */
export type EarlyAuthentication = (
  headers: Headers,
) => Promise<{ readonly ok: true } | { readonly ok: false; readonly error: GatewayError }>;

declare module 'fastify' {
  interface FastifyContextConfig {
    earlyAuthentication?: EarlyAuthentication;
  }
}

/** The `{ ok }` check of an authenticator that answers `{ type: 'authenticated' | 'rejected' }`. */
export function earlyAuthenticationBy(authenticator: {
  authenticate(
    headers: Headers,
  ):
    | { readonly type: 'authenticated' }
    | { readonly type: 'rejected'; readonly error: GatewayError }
    | Promise<
        { readonly type: 'authenticated' } | { readonly type: 'rejected'; readonly error: GatewayError }
      >;
}): EarlyAuthentication {
  return async (headers) => {
    const result = await authenticator.authenticate(headers);
    return result.type === 'authenticated' ? { ok: true } : { ok: false, error: result.error };
  };
}
