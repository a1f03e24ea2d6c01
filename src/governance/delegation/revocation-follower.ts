import type { GrantRevocationChannel, GrantStore } from './grant-store.js';

/**
 * The revocations this replica knows of, kept until the grants they revoke have expired anyway.
 * They arrive three ways: made here (`revokedHere`, announced on the channel), announced by
 * another replica (the ids are checked against the store, so the channel is never trusted), and
 * read from the store every poll interval (the only way without Redis, and the backstop for
 * announcements lost while Redis was away). Polling starts `overlapMs` behind the newest
 * revocation seen, so a revocation stamped by a replica whose clock runs behind is still found.
 */
export interface RevocationFollower {
  isRevoked(id: string): boolean;
  revokedHere(ids: readonly string[], expiresAt: number): void;
  start(): void;
  stop(): Promise<void>;
  refresh(): Promise<void>;
}

export interface RevocationFollowerDependencies {
  readonly store: Pick<GrantStore, 'revokedSince' | 'findMany'>;
  readonly channel: GrantRevocationChannel | undefined;
  readonly pollIntervalMs: number;
  readonly now: () => number;
  readonly onError: (error: unknown, message: string) => void;
  readonly overlapMs?: number;
}

export function createRevocationFollower(dependencies: RevocationFollowerDependencies): RevocationFollower {
  const { store, channel, now, onError } = dependencies;
  const overlapMs = dependencies.overlapMs ?? 5_000;
  /** Revoked grant id → when the grant expires (after which remembering it is pointless). */
  const revoked = new Map<string, number>();
  let newestSeen = now();
  let cursor = newestSeen - overlapMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let failing = false;

  function note(id: string, expiresAt: number): void {
    revoked.set(id, Math.max(expiresAt, revoked.get(id) ?? 0));
  }

  function forgetExpired(): void {
    const current = now();
    for (const [id, expiresAt] of revoked) if (expiresAt < current - overlapMs) revoked.delete(id);
  }

  async function pollOnce(): Promise<void> {
    try {
      for (const found of await store.revokedSince(cursor)) {
        note(found.id, found.expiresAt);
        if (found.revokedAt > newestSeen) newestSeen = found.revokedAt;
      }
      cursor = Math.max(cursor, newestSeen - overlapMs);
      forgetExpired();
      failing = false;
    } catch (error) {
      // Logged once per outage, not on every tick.
      if (!failing) onError(error, 'reading grant revocations failed; known revocations still apply');
      failing = true;
    }
  }

  function refresh(): Promise<void> {
    running ??= pollOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  async function announced(ids: readonly string[]): Promise<void> {
    try {
      for (const grant of await store.findMany(ids)) {
        if (grant.revokedAt !== undefined) note(grant.id, grant.expiresAt);
      }
    } catch (error) {
      // The next poll reads it from the store.
      onError(error, 'could not read announced grant revocations; the next poll will');
    }
  }

  return {
    isRevoked: (id) => revoked.has(id),
    revokedHere(ids, expiresAt) {
      for (const id of ids) note(id, expiresAt);
      if (ids.length > 0) channel?.publish(ids);
    },
    start() {
      if (timer !== undefined) return;
      channel?.subscribe((ids) => void announced(ids));
      timer = setInterval(() => void refresh(), dependencies.pollIntervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
    refresh,
  };
}
