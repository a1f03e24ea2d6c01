import type { AuthenticationResult } from '../keys/index.js';

export type { AuthenticationResult } from '../keys/index.js';

/** The authenticate stage's dependency: the key service (virtual keys and the master key). */
export interface Authenticator {
  /** Synchronous for cached keys and the master key; a promise only on a cache miss. */
  authenticate(
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): AuthenticationResult | Promise<AuthenticationResult>;
}
