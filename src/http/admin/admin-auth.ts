import { GatewayError } from '../../errors/index.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What the admin API needs to know about a caller (the keys module's Principal has it). */
export interface AdminPrincipal {
  readonly keyId: string;
  readonly role: 'user' | 'admin' | 'reviewer';
}

export type AdminAuthentication =
  | { readonly type: 'authenticated'; readonly principal: AdminPrincipal }
  | { readonly type: 'rejected'; readonly error: GatewayError };

/**
 * Declared here, structurally, so http/ depends on no feature module: the key service satisfies it.
 * Synchronous when the answer is at hand (cached keys, the master key).
 */
export interface AdminAuthenticator {
  authenticate(headers: Headers): AdminAuthentication | Promise<AdminAuthentication>;
}

const notAdmin = new GatewayError(
  'permission_denied',
  'This API key may not use the admin API; it needs the admin role.',
);

/** The admin API is for the master key and admin-role keys: 401 for no or a bad key, 403 for any other key. */
export async function authorizeAdmin(
  authenticator: AdminAuthenticator,
  headers: Headers,
): Promise<AdminAuthentication> {
  const result = await authenticator.authenticate(headers);
  if (result.type === 'rejected') return result;
  return result.principal.role === 'admin' ? result : { type: 'rejected', error: notAdmin };
}

/**
 * The same check in the `{ ok }` shape other admin routes take (`authorizeAdmin` of the usage
 * routes), so one authenticator serves every admin route.
 */
export function adminAuthorization(
  authenticator: AdminAuthenticator,
): (
  headers: Headers,
) => Promise<{ readonly ok: true } | { readonly ok: false; readonly error: GatewayError }> {
  return async (headers) => {
    const result = await authorizeAdmin(authenticator, headers);
    return result.type === 'authenticated' ? { ok: true } : { ok: false, error: result.error };
  };
}
