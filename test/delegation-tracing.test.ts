import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from './support/gateway.js';
import { startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from './support/telemetry.js';

/**
 * The trace context follows the grants: a grant remembers the trace of the request that created
 * it, and what is done under it (a delegation from it, a decision with it) is a span in that
 * trace, a child of the span that created the grant, linked to the caller's own context. One trace
 * shows the whole delegation tree, whatever traces the agents' own processes run in. Read from
 * the spans the gateway exports (closing it flushes them).
 */

let receiver: OtlpReceiver;
let spans: ExportedSpan[];
const traceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
};
const orchestrator = traceparent();
const researcher = traceparent();
const reader = traceparent();
const answers = {} as Record<
  'root' | 'child' | 'readerDecision' | 'researcherDecision',
  Record<string, unknown>
>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const gateway = await startTestGateway({
    tracing: { mode: 'otlp', otlp_endpoint: receiver.url, service_name: 'gatehouse-delegation-trace-test' },
    governance: { confidence: { allow_unverified: true } },
  });
  const post = async (path: string, credential: string, body: Record<string, unknown>, header?: string) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${credential}`,
        'content-type': 'application/json',
        ...(header === undefined ? {} : { traceparent: header }),
      },
      body: JSON.stringify({ tenant_id: 'acme', confidence: 0.95, ...body }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  // The orchestrator, in its trace, delegates to the researcher ...
  answers.root = await post(
    '/v1/agent/delegate',
    gateway.masterKey,
    { delegator: 'orchestrator', delegatee: 'researcher', scoped_to: ['read_*'] },
    orchestrator.header,
  );
  // ... who, in a trace of its own, passes a part on to the reader ...
  answers.child = await post(
    '/v1/agent/delegate',
    String(answers.root.token),
    { delegatee: 'reader' },
    researcher.header,
  );
  // ... who asks for a decision in yet another trace; the researcher asks without any trace.
  answers.readerDecision = await post(
    '/v1/agent/authorize',
    String(answers.child.token),
    { action: 'read_invoice' },
    reader.header,
  );
  answers.researcherDecision = await post('/v1/agent/authorize', String(answers.root.token), {
    action: 'read_report',
  });
  await gateway.close();
  spans = receiver.spans();
}, 30_000);

afterAll(async () => {
  await receiver.close();
});

function only(name: string, attribute: string, value: unknown): ExportedSpan {
  const found = spans.filter((span) => span.name === name && span.attributes[attribute] === value);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('the trace of a delegation tree', () => {
  it('holds every delegation and every decision under it, in the root’s trace, parent by parent', () => {
    const rootSpan = only('gatehouse.agent.delegate', 'gatehouse.delegation.token_id', answers.root.token_id);
    const childSpan = only(
      'gatehouse.agent.delegate',
      'gatehouse.delegation.token_id',
      answers.child.token_id,
    );
    const readerSpan = only(
      'gatehouse.agent.authorize',
      'gatehouse.agent.trace_id',
      answers.readerDecision.trace_id,
    );
    const researcherSpan = only(
      'gatehouse.agent.authorize',
      'gatehouse.agent.trace_id',
      answers.researcherDecision.trace_id,
    );
    for (const span of [rootSpan, childSpan, readerSpan, researcherSpan])
      expect(span.traceId).toBe(orchestrator.traceId);
    expect(rootSpan.parentSpanId).toBe(orchestrator.spanId);
    expect(childSpan.parentSpanId).toBe(rootSpan.spanId);
    expect(readerSpan.parentSpanId).toBe(childSpan.spanId);
    expect(researcherSpan.parentSpanId).toBe(rootSpan.spanId);
    expect(readerSpan.attributes['gatehouse.agent.grant_id']).toBe(answers.child.token_id);
  });

  it('links each span to the caller’s own trace, when the caller sent one', () => {
    const childSpan = only(
      'gatehouse.agent.delegate',
      'gatehouse.delegation.token_id',
      answers.child.token_id,
    );
    const readerSpan = only(
      'gatehouse.agent.authorize',
      'gatehouse.agent.trace_id',
      answers.readerDecision.trace_id,
    );
    const researcherSpan = only(
      'gatehouse.agent.authorize',
      'gatehouse.agent.trace_id',
      answers.researcherDecision.trace_id,
    );
    expect(childSpan.links).toEqual([{ traceId: researcher.traceId, spanId: researcher.spanId }]);
    expect(readerSpan.links).toEqual([{ traceId: reader.traceId, spanId: reader.spanId }]);
    expect(researcherSpan.links).toEqual([]);
  });
});
