import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startHttpReceiver, type HttpReceiver } from './support/notification-receivers.js';

/**
 * A `human_review` decision announces its review on the notification channels (`review.created`,
 * with the review id the answer carries); a decision that queues nothing announces nothing.
 */

const policy = [
  '@id("agents-may-act") permit(principal, action, resource);',
  '@id("wires-need-review") @decision("human_review") permit(principal, action == Action::"wire_money", resource);',
].join('\n');

let receiver: HttpReceiver;
let gateway: TestGateway;

beforeAll(async () => {
  receiver = await startHttpReceiver(() => ({ status: 204 }));
  gateway = await startTestGateway({
    governance: { confidence: { allow_unverified: true }, policy: { cedar: policy } },
    notifications: {
      channels: [
        {
          name: 'reviews',
          type: 'webhook',
          url: `${receiver.url}/hook`,
          secret: 'test-secret-0123456789',
          events: ['review.created'],
        },
      ],
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await receiver?.close();
});

async function authorize(action: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}/v1/agent/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant_id: 'acme',
      actor: 'pay-bot',
      action,
      resource: { id: 'w1' },
      confidence: 0.99,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('review notifications', () => {
  it('announces each new review once, with its id, and nothing for decisions that queue none', async () => {
    await authorize('read_invoice');
    const answer = await authorize('wire_money');
    expect(answer.decision).toBe('human_review');
    expect(typeof answer.review_id).toBe('string');
    await receiver.waitFor(1, 5_000);
    // Nothing else arrives: the allowed decision queued no review.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(1);
    const event = JSON.parse(receiver.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'review.created',
      data: {
        review_id: answer.review_id,
        tenant_id: 'acme',
        actor: 'pay-bot',
        action: 'wire_money',
        trace_id: answer.trace_id,
      },
    });
  });
});
