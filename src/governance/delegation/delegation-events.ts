/**
 * What delegation reports: every grant made or refused, every token minted or revoked. The audit
 * trail stores them (its event types `delegation`, `token.minted`, `token.revoked`); until it is
 * connected the composition root writes them as log lines. Grant ids only, never tokens.
 */
export type DelegationEvent =
  | {
      readonly type: 'delegation';
      readonly outcome: 'granted' | 'refused';
      readonly tenantId: string;
      readonly traceId: string;
      /** ISO 8601, UTC. */
      readonly timestamp: string;
      readonly delegator: string | undefined;
      readonly delegatee: string | undefined;
      readonly scopes: readonly string[];
      readonly reason: string | undefined;
      readonly grantId: string | undefined;
      readonly parentGrantId: string | undefined;
      readonly rootGrantId: string | undefined;
      readonly depth: number | undefined;
      readonly expiresAt: string | undefined;
      readonly actingFor: string | undefined;
      /** The key of the request (`master` for the master key, or the presented grant's id). */
      readonly callerId: string;
    }
  | {
      readonly type: 'token.minted';
      readonly tenantId: string;
      readonly traceId: string;
      readonly timestamp: string;
      readonly grantId: string;
      readonly actor: string;
      readonly scopes: readonly string[];
      readonly expiresAt: string;
      readonly actingFor: string | undefined;
      readonly callerId: string;
      readonly boundKeyId: string | undefined;
    }
  | {
      readonly type: 'token.revoked';
      readonly tenantId: string;
      readonly timestamp: string;
      readonly grantId: string;
      /** The grant and every grant under it, the grant first. */
      readonly revokedGrantIds: readonly string[];
      readonly callerId: string;
    };

/** Where delegation events go; never blocks and never fails the request. */
export interface DelegationEvents {
  emit(event: DelegationEvent): void;
}

/**
 * What a swarm operation came to: a grant made (`granted`) or refused, a grant presented and in
 * force (`used`) or dead (`expired`, `timed_out`, `revoked`), a revocation made (`cancelled`).
 */
export const swarmOutcomes = [
  'granted',
  'refused',
  'used',
  'expired',
  'timed_out',
  'revoked',
  'cancelled',
] as const;
export type SwarmOutcome = (typeof swarmOutcomes)[number];

/** What metrics learn (the telemetry assembler's metrics satisfy it); no per-swarm labels. */
export interface SwarmObserver {
  /** A grant was made in a swarm that now has `agents` distinct agents. */
  swarmJoined(agents: number): void;
  swarmOperation(outcome: SwarmOutcome): void;
}

export const discardDelegationEvents: DelegationEvents = Object.freeze({ emit: () => undefined });
