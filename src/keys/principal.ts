import type { KeyBudget, KeyRole } from './types.js';

/** The limits in force for one caller: the tier's defaults with the key's overrides applied. */
export interface PrincipalLimits {
  readonly requestsPerMinute: number | undefined;
  readonly tokensPerMinute: number | undefined;
  readonly concurrentRequests: number | undefined;
}

/** Who is calling: the master key or a virtual key, with everything later stages decide on. */
export interface Principal {
  /** A stable, non-secret identifier for logs, metrics and usage records (`master` or `key_...`). */
  readonly keyId: string;
  readonly kind: 'master' | 'virtual';
  readonly name: string;
  /** `admin` may use `/admin/*`: the master key and keys created with the admin role. */
  readonly role: KeyRole;
  /** The key's tier; undefined for the master key, which has its own limits instead. */
  readonly tier: string | undefined;
  readonly team: string | undefined;
  readonly owner: string | undefined;
  /** The agent this key belongs to, for governance. */
  readonly agentId: string | undefined;
  /** Allowed model patterns (`*` matches any run of characters); empty allows every model. */
  readonly models: readonly string[];
  readonly limits: PrincipalLimits;
  readonly budget: KeyBudget | undefined;
  /** The key's free-form metadata (the guard reads its `guard_injection_action` entry); master: none. */
  readonly metadata: Readonly<Record<string, string>>;
}
