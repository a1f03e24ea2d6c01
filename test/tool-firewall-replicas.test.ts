import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  nextRefundReview,
  openaiTools,
  openaiUpstreamModel,
  pendingRefundIds,
  prompts,
  resolveReview,
  startFirewallFixture,
  type FirewallFixture,
} from './support/firewall-fixture.js';
import { isolatedState, postgresUrl, redisUrl, type IsolatedState } from './support/shared-state.js';

/**
 * Two gateways on one Postgres and one Redis: an answer on one waits for a reviewer, who approves
 * the call on the other; the resolution wakes the waiting answer across replicas, and the call
 * goes out.
 */

let state: IsolatedState;
let waiting: FirewallFixture;
let reviewing: FirewallFixture;

beforeAll(async () => {
  state = await isolatedState('firewall');
  const shared = {
    database_url: postgresUrl,
    database_schema: state.schema,
    redis_url: redisUrl,
    redis_key_prefix: state.redisPrefix,
  };
  // One after the other: the first creates the schema.
  waiting = await startFirewallFixture({ review_wait_ms: 60_000 }, {}, shared);
  reviewing = await startFirewallFixture({ review_wait_ms: 60_000 }, {}, shared);
});
afterAll(async () => {
  await Promise.all([waiting?.close(), reviewing?.close()]);
  await state?.cleanUp();
});

it('releases a call approved on another replica while its answer waits', async () => {
  const known = await pendingRefundIds(reviewing);
  const answer = waiting.openai(waiting.agentKey).chat.completions.create({
    model: openaiUpstreamModel,
    messages: [{ role: 'user', content: prompts.review }],
    tools: openaiTools,
  });
  // The reviewer sees the queued call on the other replica (the queue is in the database).
  const queued = await nextRefundReview(reviewing, known);
  await resolveReview(reviewing, queued.id, 'approve');
  const completion = await answer;
  const call = completion.choices[0]?.message.tool_calls?.[0];
  expect(call?.id).toBe(queued.resource.tool_call_id);
  expect(call?.type === 'function' && call.function.name).toBe('approve_refund');
  expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
});
