import type { KeyRole } from './types.js';

/**
 * A change to a key, for the audit trail: who changed which key how. Never the secret or its hash.
 * Declared here, structurally, so that keys/ depends on no audit module; the composition root
 * connects it to the audit trail.
 */
export interface KeyChangeEvent {
  readonly type: 'key.created' | 'key.updated' | 'key.revoked';
  readonly keyId: string;
  readonly name: string;
  /** The admin key's id (`master` for the master key), `cli` for the command line; undefined when not told. */
  readonly by: string | undefined;
  /** Unix milliseconds. */
  readonly time: number;
  readonly role: KeyRole;
  readonly tier: string;
  readonly team: string | undefined;
  readonly agentId: string | undefined;
  /** For an update: the fields it set (names only, never values). */
  readonly changed: readonly string[];
}

export interface KeyChangeEvents {
  keyChanged(event: KeyChangeEvent): void;
}
