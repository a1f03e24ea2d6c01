import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agent,
  auditRecords,
  type AuditRecord,
  openaiTools,
  openaiUpstreamModel,
  prompts,
  startFirewallFixture,
  type FirewallFixture,
} from './support/firewall-fixture.js';

/**
 * What the tool-call firewall leaves behind and whom it asks for: a `tool_call.judged` audit record
 * per verdict, with the call's id, beside the `decision` record it rests on (which a policy can tell
 * from an agent's own request by `resource.source`); the metric; a grant presented as the
 * credential bounding what its holder's model may call; the usage of a refused answer accounted.
 */

let removing: FirewallFixture;
let refusing: FirewallFixture;

beforeAll(async () => {
  [removing, refusing] = await Promise.all([
    startFirewallFixture({ review_wait_ms: 200 }, { delegation: { llm_routes: true } }),
    startFirewallFixture({ on_deny: 'error', review_wait_ms: 200 }),
  ]);
});
afterAll(async () => {
  await Promise.all([removing?.close(), refusing?.close()]);
});

const request = (content: string): ChatCompletionCreateParamsNonStreaming => ({
  model: openaiUpstreamModel,
  messages: [{ role: 'user', content }],
  tools: openaiTools,
});

/** The ids of the calls the model makes for `content`, in order, as a key without an agent sees them. */
async function callIds(fixture: FirewallFixture, content: string): Promise<string[]> {
  const completion = await fixture.openai(fixture.plainKey).chat.completions.create(request(content));
  return (completion.choices[0]?.message.tool_calls ?? []).map((call) => call.id);
}

describe('every verdict', () => {
  it('is a tool_call.judged audit record with the call id, beside the decision it rests on', async () => {
    const [weatherId, deletionId] = await callIds(removing, prompts.oneOfTwoDenied);
    const { response } = await removing
      .openai(removing.agentKey)
      .chat.completions.create(request(prompts.oneOfTwoDenied))
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    const ofThisRequest = (records: AuditRecord[]) =>
      records.filter((record) => record.details.request_id === requestId);
    const verdicts = ofThisRequest(
      await auditRecords(removing, 'tool_call.judged', (records) => ofThisRequest(records).length === 2),
    );
    const byCall = new Map(verdicts.map((record) => [record.details.tool_call_id, record]));
    expect(byCall.get(weatherId)).toMatchObject({ actor: agent, action: 'get_weather', decision: 'allowed' });
    expect(byCall.get(deletionId)).toMatchObject({
      actor: agent,
      action: 'delete_invoice',
      decision: 'denied',
      reason: expect.stringContaining('no-invoice-deletes-by-tool-call') as string,
    });
    expect(byCall.get(deletionId)?.details).toMatchObject({
      key_id: expect.stringMatching(/^key_/) as string,
      args_hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      dialect: 'openai',
      stream: false,
    });
    // The decision each verdict rests on, recorded under the verdict's trace id, names the call.
    const traceIds = verdicts.map((record) => record.trace_id);
    const decisions = (
      await auditRecords(removing, 'decision', (records) =>
        traceIds.every((id) => records.some((record) => record.trace_id === id)),
      )
    ).filter((record) => traceIds.includes(record.trace_id));
    expect(decisions.map((record) => [record.resource?.tool_call_id, record.decision]).sort()).toEqual(
      [
        [weatherId, 'allow'],
        [deletionId, 'deny'],
      ].sort(),
    );
    for (const decision of decisions)
      expect(decision.resource).toMatchObject({
        source: 'tool_call',
        request_id: requestId,
        model: openaiUpstreamModel,
      });
  });

  it('of a call held for review names the review', async () => {
    const { response } = await removing
      .openai(removing.agentKey)
      .chat.completions.create(request(prompts.review))
      .withResponse();
    const [callId, reviewId] = (response.headers.get('x-gatehouse-tool-calls-held') ?? '').split('=');
    const [held] = (
      await auditRecords(removing, 'tool_call.judged', (records) =>
        records.some((record) => record.details.tool_call_id === callId),
      )
    ).filter((record) => record.details.tool_call_id === callId);
    expect(held).toMatchObject({ decision: 'held', action: 'approve_refund' });
    expect(held?.details.review_id).toBe(reviewId);
  });

  it('is counted in gatehouse_firewall_tool_calls_total by decision', async () => {
    await removing.openai(removing.agentKey).chat.completions.create(request(prompts.oneOfTwoDenied));
    const response = await fetch(`${removing.gateway.url}/metrics`, {
      headers: { authorization: `Bearer ${removing.gateway.masterKey}` },
    });
    const text = await response.text();
    const count = (decision: string) =>
      Number(
        new RegExp(`^gatehouse_firewall_tool_calls_total\\{decision="${decision}"\\} (\\S+)$`, 'm').exec(
          text,
        )?.[1],
      );
    expect(count('allowed')).toBeGreaterThanOrEqual(1);
    expect(count('denied')).toBeGreaterThanOrEqual(1);
  });
});

describe('a grant presented as the credential', () => {
  it('bounds what its holder’s model may call, whatever the policy permits', async () => {
    const minted = await fetch(`${removing.gateway.url}/v1/tokens/mint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${removing.agentKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'llm get_*', ttl_seconds: 600 }),
    });
    expect(minted.status).toBe(200);
    const { token, token_id: grantId } = (await minted.json()) as { token: string; token_id: string };
    // The policy lets the agent approve refunds (after review); the grant covers get_* only.
    const prompt = 'Use get_weather for Oslo, then approve_refund for the customer.';
    const completion = await removing.openai(token).chat.completions.create(request(prompt));
    const message = completion.choices[0]?.message;
    expect(
      (message?.tool_calls ?? []).map((call) => (call.type === 'function' ? call.function.name : '')),
    ).toEqual(['get_weather']);
    expect(message?.content).toContain(
      `(approve_refund) was removed by the Gatehouse tool firewall: grant ${grantId}`,
    );
    // The key's own answer, without the grant, queues the refund for review instead.
    const keyed = await removing.openai(removing.agentKey).chat.completions.create(request(prompt));
    expect(keyed.choices[0]?.message.content).toContain('(approve_refund) is held for human review rev_');
  });
});

describe('an agent’s answer without tool calls', () => {
  it('goes out as the model gave it', async () => {
    const asked = {
      model: openaiUpstreamModel,
      messages: [{ role: 'user' as const, content: 'Hello there' }],
    };
    const plain = await removing.openai(removing.plainKey).chat.completions.create(asked);
    const judged = await removing.openai(removing.agentKey).chat.completions.create(asked);
    expect(judged.choices).toEqual(plain.choices);
  });
});

describe('an answer refused under on_deny: error', () => {
  it('is still accounted: the upstream was paid for it', async () => {
    const { response } = await refusing
      .openai(refusing.plainKey)
      .chat.completions.create(request(prompts.onlyDenied))
      .withResponse();
    expect(response.status).toBe(200);
    const refused = await fetch(`${refusing.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${refusing.agentKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(request(prompts.onlyDenied)),
    });
    expect(refused.status).toBe(403);
    const requestId = refused.headers.get('x-request-id');
    expect(refused.headers.get('x-gatehouse-tool-calls-removed')).toMatch(/^call_/);
    const line = refusing.gateway
      .logRecords()
      .find((record) => record.msg === 'request' && record.request_id === requestId);
    expect(line).toMatchObject({ status: 403 });
    expect(Number(line?.output_tokens)).toBeGreaterThan(0);
  });
});
