import type { ReviewItem, ReviewOutcome } from '../../review/index.js';

/**
 * Test support (not used by the gateway): resolved review items whose outcome is learnable — each
 * agent × action pair has a usual outcome, flipped for a share of them (`noise`) — drawn from a
 * seeded generator, so every run sees the same items.
 */

export const syntheticAgents = ['ledger-bot', 'mail-bot', 'ops-bot', 'scraper-bot'] as const;
export const syntheticActions = ['send_email', 'refund_payment', 'delete_records'] as const;

const approvedPairs = new Set([
  'ledger-bot/send_email',
  'ledger-bot/refund_payment',
  'mail-bot/send_email',
  'ops-bot/send_email',
  'ops-bot/refund_payment',
  'ops-bot/delete_records',
]);

/** The outcome reviewers usually give this agent's action. */
export function usualOutcome(actor: string, action: string): ReviewOutcome {
  return approvedPairs.has(`${actor}/${action}`) ? 'approved' : 'denied';
}

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SyntheticOptions {
  readonly count: number;
  readonly seed?: number;
  /** Share of outcomes flipped from the usual one. */
  readonly noise?: number;
  /** Unix milliseconds of the first item; one minute apart. */
  readonly start?: number;
  /** The outcome of an item; default: the agent × action's usual one. */
  readonly outcome?: (item: ReviewItem, random: () => number) => ReviewOutcome;
}

export function syntheticReviews(options: SyntheticOptions): ReviewItem[] {
  const random = seededRandom(options.seed ?? 1);
  const noise = options.noise ?? 0.1;
  const start = options.start ?? Date.UTC(2026, 0, 1);
  const items: ReviewItem[] = [];
  for (let index = 0; index < options.count; index += 1) {
    const actor = syntheticAgents[Math.floor(random() * syntheticAgents.length)] ?? 'ledger-bot';
    const action = syntheticActions[Math.floor(random() * syntheticActions.length)] ?? 'send_email';
    const confidence = Math.round((0.7 + random() * 0.2) * 1000) / 1000;
    const enqueuedAt = start + index * 60_000;
    const pending: ReviewItem = {
      id: `rev_${String(index).padStart(32, '0')}`,
      tenantId: 'acme',
      policyIds: [],
      actor,
      action,
      resource: { account: `acc-${index % 7}` },
      confidenceScore: confidence,
      reason: `confidence ${confidence} is below the allow gate 0.9: human review required`,
      actingFor: 'ada',
      traceId: `trace-${index}`,
      riskScore: 0.1,
      policyDigest: 'd'.repeat(64),
      inputHash: 'e'.repeat(64),
      argsHash: undefined,
      enqueuedAt,
      expiresAt: enqueuedAt + 86_400_000,
      status: 'pending',
      resolvedAt: undefined,
      resolvedBy: undefined,
      resolutionNote: undefined,
      resolverKeyId: undefined,
    };
    const usual = options.outcome?.(pending, random) ?? usualOutcome(actor, action);
    const flipped = random() < noise;
    const status: ReviewOutcome = flipped ? (usual === 'approved' ? 'denied' : 'approved') : usual;
    items.push({
      ...pending,
      status,
      resolvedAt: enqueuedAt + 30_000,
      resolvedBy: 'ada',
      resolverKeyId: 'key_reviewer',
    });
  }
  return items;
}
