import type { AuthenticationResult } from '../../keys/index.js';
import type { Authentication, RequestContext } from '../context.js';
import { proceed, type Call, type RequestStage, type StageResult } from '../stage.js';

export type { Authentication } from '../context.js';
export type { AuthenticationResult } from '../../keys/index.js';

/** The authenticate stage's dependency: the key service (virtual keys and the master key). */
export interface Authenticator {
  /** Synchronous for cached keys and the master key; a promise only on a cache miss. */
  authenticate(
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): AuthenticationResult | Promise<AuthenticationResult>;
}

export interface AuthenticateStage extends RequestStage {
  /** The caller's key checked from the headers alone (http/ does so before it reads the body). */
  authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication>;
}

/** Who is calling: the key's principal, or a refusal. A key checked by http/ is not checked again. */
export function createAuthenticateStage(authenticator: Authenticator): AuthenticateStage {
  function authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication> {
    const result = authenticator.authenticate(context.headers);
    return result instanceof Promise ? result.then(toAuthentication) : toAuthentication(result);
  }

  return {
    name: 'authenticate',
    authenticate,
    run(call) {
      const authentication = call.authentication ?? authenticate(call.context);
      return authentication instanceof Promise
        ? authentication.then((checked) => admit(call, checked))
        : admit(call, authentication);
    },
  };
}

function toAuthentication(result: AuthenticationResult): Authentication {
  return result.type === 'authenticated'
    ? { ok: true, principal: result.principal }
    : { ok: false, error: result.error };
}

function admit(call: Call, authentication: Authentication): StageResult {
  if (!authentication.ok) return { type: 'reject', error: authentication.error };
  call.principal = authentication.principal;
  return proceed;
}
