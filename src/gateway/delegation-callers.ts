import { GatewayError } from '../errors/index.js';
import {
  credentialRefusal,
  looksLikeGrantToken,
  type ActiveGrant,
  type DelegationCaller,
  type DelegationService,
  type GrantResolution,
} from '../governance/delegation/index.js';
import type { AuthorizeAuthentication, DelegationAuthentication } from '../http/index.js';
import {
  hashKey,
  presentedKey,
  type AuthenticationResult,
  type KeyService,
  type RequestHeaders,
} from '../keys/index.js';
import type { Authenticator } from '../pipeline/index.js';

/**
 * Who presents what, for the routes that accept grants: a bearer credential shaped as a grant token
 * (`gh_grant_…`) is resolved as a grant, anything else as a key. Three views of one answer: the
 * delegation routes' caller, the authorize routes' caller, and the model routes' principal.
 */

type Presented =
  | { readonly type: 'grant'; readonly active: ActiveGrant }
  | { readonly type: 'key'; readonly result: AuthenticationResult; readonly secret: string | undefined };

function present(
  service: Pick<DelegationService, 'present'>,
  keys: Pick<KeyService, 'authenticate'>,
  headers: RequestHeaders,
): Presented | GatewayError | Promise<Presented | GatewayError> {
  const secret = presentedKey(headers);
  if (secret === undefined || !looksLikeGrantToken(secret)) {
    const result = keys.authenticate(headers);
    return result instanceof Promise
      ? result.then((settled) => ({ type: 'key', result: settled, secret }))
      : { type: 'key', result, secret };
  }
  const resolution = service.present(secret);
  return resolution instanceof Promise ? resolution.then(asGrant) : asGrant(resolution);
}

function asGrant(resolution: GrantResolution): Presented | GatewayError {
  return resolution.type === 'active'
    ? { type: 'grant', active: resolution.active }
    : credentialRefusal(resolution);
}

export function delegationCallers(service: DelegationService, keys: KeyService) {
  return {
    async authenticate(headers: RequestHeaders): Promise<DelegationAuthentication<DelegationCaller>> {
      const presented = await present(service, keys, headers);
      if (presented instanceof GatewayError) return { type: 'rejected', error: presented };
      if (presented.type === 'grant')
        return { type: 'authenticated', caller: { kind: 'grant', active: presented.active } };
      if (presented.result.type === 'rejected') return presented.result;
      const { principal } = presented.result;
      const keyHash =
        principal.kind === 'virtual' && presented.secret !== undefined
          ? hashKey(presented.secret)
          : undefined;
      return {
        type: 'authenticated',
        caller: {
          kind: 'key',
          keyId: principal.keyId,
          role: principal.role,
          agentId: principal.agentId,
          keyHash,
        },
      };
    },
  };
}

export function authorizeCallers(service: DelegationService, keys: KeyService) {
  return {
    async authenticate(headers: RequestHeaders): Promise<AuthorizeAuthentication<ActiveGrant>> {
      const presented = await present(service, keys, headers);
      if (presented instanceof GatewayError) return { type: 'rejected', error: presented };
      if (presented.type === 'key') return presented.result;
      const { active } = presented;
      return {
        type: 'authenticated',
        principal: { role: 'user', agentId: active.grant.delegatee, grant: active },
      };
    },
  };
}

/**
 * The model routes' authenticator: keys as before; a grant, when `llm_routes` is on, as the virtual
 * key it was minted under (that key's models, limits and budget, its usage counted against it),
 * provided its scopes cover `llm`. The principal names the grant's holder as its agent.
 */
export function modelAuthenticator(
  base: Authenticator,
  service: Pick<DelegationService, 'present'>,
  keys: Pick<KeyService, 'authenticateDigest'>,
  enabled: boolean,
): Authenticator {
  const refused = (message: string, code: 'invalid_api_key' | 'permission_denied'): AuthenticationResult => ({
    type: 'rejected',
    error: new GatewayError(code, message),
  });
  function asKey(resolution: GrantResolution): AuthenticationResult | Promise<AuthenticationResult> {
    if (resolution.type !== 'active') return { type: 'rejected', error: credentialRefusal(resolution) };
    const { grant, scopes } = resolution.active;
    if (scopes.coveringScope('llm') === undefined)
      return refused(
        'This grant does not cover scope "llm": it cannot call the model routes.',
        'permission_denied',
      );
    if (grant.boundKey === undefined)
      return refused(
        'This grant was minted with the master key and spends no virtual key: it cannot call the model routes.',
        'permission_denied',
      );
    const holder = grant.delegatee;
    const withHolder = (result: AuthenticationResult): AuthenticationResult =>
      result.type === 'authenticated'
        ? { type: 'authenticated', principal: { ...result.principal, agentId: holder } }
        : result;
    const result = keys.authenticateDigest(grant.boundKey.hash);
    return result instanceof Promise ? result.then(withHolder) : withHolder(result);
  }
  return {
    authenticate(headers) {
      const secret = presentedKey(headers);
      if (secret === undefined || !looksLikeGrantToken(secret)) return base.authenticate(headers);
      if (!enabled)
        return refused(
          'Grant tokens are not accepted on the model routes here (governance.delegation.llm_routes is off).',
          'invalid_api_key',
        );
      const resolution = service.present(secret);
      return resolution instanceof Promise ? resolution.then(asKey) : asKey(resolution);
    },
  };
}
