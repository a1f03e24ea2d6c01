import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/index.js';
import type { Principal } from './context.js';

export type AuthenticationResult =
  | { readonly type: 'authenticated'; readonly principal: Principal }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface Authenticator {
  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): AuthenticationResult;
}

/** The caller's key from `Authorization: Bearer <key>` or Anthropic's `x-api-key: <key>`. */
export function presentedKey(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    return authorization.slice(7).trim();
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey.trim() : undefined;
}

/**
 * Authenticates with the master key. Keys are compared as SHA-256 digests with
 * `timingSafeEqual`, so the comparison takes the same time whatever the presented key is.
 */
export function createMasterKeyAuthenticator(masterKey: string): Authenticator {
  const expected = digest(masterKey);
  const master: Principal = { keyId: 'master', kind: 'master' };
  return {
    authenticate(headers) {
      const key = presentedKey(headers);
      if (key === undefined) {
        return {
          type: 'rejected',
          error: new GatewayError(
            'missing_api_key',
            'No API key provided. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
          ),
        };
      }
      if (timingSafeEqual(digest(key), expected)) return { type: 'authenticated', principal: master };
      return { type: 'rejected', error: new GatewayError('invalid_api_key', 'Incorrect API key provided.') };
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
