import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './support/gateway.js';
import { startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from './support/telemetry.js';

/**
 * Every agent decision is a trace span, `gatehouse.agent.authorize`, continuing the caller's
 * `traceparent`, with the decision's facts as attributes; a refused request (bad input) decides
 * nothing and leaves no decision span. Spans are flushed by closing the gateway.
 */

let receiver: OtlpReceiver;
let spans: ExportedSpan[];
const traceId = randomBytes(16).toString('hex');
const callerSpanId = randomBytes(8).toString('hex');
let answer: Record<string, unknown>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const gateway = await startTestGateway({
    tracing: { mode: 'otlp', otlp_endpoint: receiver.url, service_name: 'gatehouse-authorize-trace-test' },
    governance: { confidence: { allow_unverified: true } },
  });
  const ask = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/agent/authorize`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.masterKey}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const decided = await ask(
    { tenant_id: 'acme', actor: 'mail-bot', action: 'send_email', confidence: 0.8 },
    { traceparent: `00-${traceId}-${callerSpanId}-01` },
  );
  answer = (await decided.json()) as Record<string, unknown>;
  expect((await ask({ tenant_id: 'acme', actor: 'mail-bot', action: 7 })).status).toBe(400);
  await gateway.close();
  spans = receiver.spans();
});

afterAll(async () => {
  await receiver.close();
});

describe('the span of an agent decision', () => {
  it('continues the caller’s trace and carries the decision', () => {
    const decisions = spans.filter((span) => span.name === 'gatehouse.agent.authorize');
    expect(decisions).toHaveLength(1);
    const [span] = decisions;
    expect(span?.traceId).toBe(traceId);
    expect(span?.parentSpanId).toBe(callerSpanId);
    expect(span?.attributes).toMatchObject({
      'gatehouse.agent.tenant_id': 'acme',
      'gatehouse.agent.actor': 'mail-bot',
      'gatehouse.agent.action': 'send_email',
      'gatehouse.agent.decision': 'human_review',
      'gatehouse.agent.trace_id': answer.trace_id,
      'gatehouse.agent.shadow_mode': false,
      'gatehouse.policy.digest': answer.policy_digest,
    });
  });
});
