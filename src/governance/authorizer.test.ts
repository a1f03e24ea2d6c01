import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { createTracing, type TracingSettings } from '../telemetry/index.js';
import { createAuthorizer, type AuthorizerDependencies } from './authorizer.js';
import { canonicalHash } from './canonical-json.js';
import { neutralAgentSignals, type Decision } from './decisions/index.js';
import type { DecisionEvent } from './events.js';
import { defaultGovernanceSection, governanceSettingsFrom } from './governance-settings.js';
import { compilePolicy } from './policies/index.js';
import { phraseScreener } from './decisions/test-phrase-screener.js';

const policyText = [
  '@id("agents-may-act") permit(principal is Agent, action, resource);',
  '@id("never-delete") forbid(principal, action == Action::"delete_invoice", resource);',
].join('\n');

function setup(overrides: Partial<AuthorizerDependencies> = {}) {
  const compiled = compilePolicy(policyText, 4);
  if (compiled.type !== 'compiled') throw new Error(compiled.message);
  const events: DecisionEvent[] = [];
  const observed: Decision[] = [];
  const people: string[] = [];
  const admitted: string[] = [];
  let clock = 100;
  let traces = 0;
  const authorizer = createAuthorizer({
    settings: governanceSettingsFrom({
      ...defaultGovernanceSection,
      confidence: { ...defaultGovernanceSection.confidence, allow_unverified: true },
    }),
    policy: () => compiled.snapshot,
    signals: neutralAgentSignals,
    screen: phraseScreener,
    events: { emit: (event) => events.push(event) },
    observer: {
      decided: (decision) => observed.push(decision),
      decidedForUser: (decision) => people.push(decision),
    },
    admitTenant: (tenantId) => {
      admitted.push(tenantId);
      return Promise.resolve(undefined);
    },
    tracing: createTracing({ mode: 'none' } as TracingSettings),
    now: () => Date.UTC(2026, 0, 1),
    elapsed: () => (clock += 5),
    newTraceId: () => `trace-${(traces += 1)}`,
    ...overrides,
  });
  return { authorizer, events, observed, people, admitted, digest: compiled.snapshot.digest };
}

const body = { tenant_id: 'acme', actor: 'mail-bot', action: 'send_email', confidence: 0.95 };

describe('the authorizer', () => {
  it('decides, hashes and reports one event and one observation per decision', async () => {
    const { authorizer, events, observed, admitted, digest } = setup();
    const outcome = await authorizer.authorizeAgent({ body, headers: {}, boundAgent: undefined });
    expect(outcome.type).toBe('answered');
    const answer = outcome.type === 'answered' ? outcome.answer : undefined;
    expect(answer).toMatchObject({
      allowed: true,
      decision: 'allow',
      trace_id: 'trace-1',
      policy_digest: digest,
    });
    expect(answer?.input_hash).toBe(canonicalHash(body));
    expect(answer?.output_hash).toBe(
      canonicalHash({ trace_id: 'trace-1', decision: 'allow', reason: answer?.reason }),
    );
    expect(admitted).toEqual(['acme']);
    expect(observed).toHaveLength(1);
    expect(events).toEqual([
      expect.objectContaining({
        subject: 'agent',
        traceId: 'trace-1',
        timestamp: '2026-01-01T00:00:00.000Z',
        decision: 'allow',
        policyVersion: 4,
        latencyMs: 5,
        inputHash: answer?.input_hash,
        outputHash: answer?.output_hash,
      }),
    ]);
  });

  it('fills a missing actor from the key’s agent, and refuses another actor without deciding', async () => {
    const { authorizer, events, observed, admitted } = setup();
    const { actor: _actor, ...withoutActor } = body;
    const filled = await authorizer.authorizeAgent({
      body: withoutActor,
      headers: {},
      boundAgent: 'mail-bot',
    });
    expect(filled.type === 'answered' && filled.answer.decision).toBe('allow');
    const refused = await authorizer.authorizeAgent({ body, headers: {}, boundAgent: 'other-bot' });
    expect(refused).toMatchObject({ type: 'rejected', error: { code: 'permission_denied', param: 'actor' } });
    expect(events).toHaveLength(1);
    expect(observed).toHaveLength(1);
    expect(admitted).toEqual(['acme']);
  });

  it('decides nothing for bad input or a tenant over its rate', async () => {
    const limited = new GatewayError('rate_limited', 'slow down');
    const { authorizer, events, observed } = setup({ admitTenant: () => Promise.resolve(limited) });
    const invalid = await authorizer.authorizeAgent({
      body: { ...body, confidence: Number.NaN },
      headers: {},
      boundAgent: undefined,
    });
    expect(invalid).toMatchObject({ type: 'rejected', error: { code: 'invalid_request' } });
    expect(await authorizer.authorizeAgent({ body, headers: {}, boundAgent: undefined })).toEqual({
      type: 'rejected',
      error: limited,
    });
    expect(events).toEqual([]);
    expect(observed).toEqual([]);
  });

  it('answers a person’s request from the policy alone, and records it', async () => {
    const { authorizer, events, people } = setup();
    const outcome = await authorizer.authorizeUser({
      body: { tenant_id: 'acme', user_id: 'ada', action: 'view_invoice' },
      headers: {},
    });
    // `permit(principal is Agent, …)` does not cover people: Cedar's default deny.
    expect(outcome).toMatchObject({ type: 'answered', answer: { allowed: false, decision: 'deny' } });
    expect(events).toEqual([expect.objectContaining({ subject: 'user', actor: 'ada', decision: 'deny' })]);
    expect(people).toEqual(['deny']);
  });
});

describe('the authorizer and the review queue', () => {
  const review = { ...body, confidence: 0.8 };

  it('queues a human_review answer and answers with its review_id; queues nothing for other answers', async () => {
    const queued: string[] = [];
    const { authorizer } = setup({
      queueReview: (request, answer) => {
        queued.push(`${request.actor}:${answer.trace_id}`);
        return Promise.resolve('rev_1');
      },
    });
    const outcome = await authorizer.authorizeAgent({ body: review, headers: {}, boundAgent: undefined });
    expect(outcome).toMatchObject({
      type: 'answered',
      answer: { decision: 'human_review', review_id: 'rev_1' },
    });
    const allowed = await authorizer.authorizeAgent({ body, headers: {}, boundAgent: undefined });
    expect(allowed.type === 'answered' && 'review_id' in allowed.answer).toBe(false);
    expect(queued).toEqual(['mail-bot:trace-1']);
  });

  it('answers 503 rather than a review nobody can find when the review cannot be stored', async () => {
    const { authorizer } = setup({ queueReview: () => Promise.reject(new Error('database down')) });
    const outcome = await authorizer.authorizeAgent({ body: review, headers: {}, boundAgent: undefined });
    expect(outcome).toMatchObject({ type: 'rejected', error: { code: 'service_unavailable', status: 503 } });
  });
});
