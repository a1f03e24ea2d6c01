import OpenAI from 'openai';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicUpstreamModel,
  nextRefundReview,
  openaiTools,
  openaiUpstreamModel,
  pendingRefundIds,
  prompts,
  resolveReview,
  review,
  startFirewallFixture,
  type FirewallFixture,
} from './support/firewall-fixture.js';

/**
 * The tool-call firewall with the real `openai` client, JSON and streams, for an OpenAI upstream
 * (the answer passes through as bytes) and an Anthropic one (translated): allowed calls pass
 * unchanged, denied ones are taken out (the text and a header say so), calls that need review
 * wait for a reviewer and pass, or are held and come back as review ids; under `on_deny: error`
 * the answer is refused. Streams stay what the client's stream helper accumulates.
 */

/** `on_deny: remove`, and a reviewer has a minute: the tests resolve reviews within it. */
let patient: FirewallFixture;
/** `on_deny: error`, and a review waits 300 ms: a call that needs review is held. */
let hasty: FirewallFixture;

beforeAll(async () => {
  [patient, hasty] = await Promise.all([
    startFirewallFixture({ on_deny: 'remove', review_wait_ms: 60_000 }),
    startFirewallFixture({ on_deny: 'error', review_wait_ms: 300 }),
  ]);
});
afterAll(async () => {
  await Promise.all([patient?.close(), hasty?.close()]);
});

const request = (model: string, content: string): ChatCompletionCreateParamsNonStreaming => ({
  model,
  messages: [{ role: 'user', content }],
  tools: openaiTools,
});

function names(calls: readonly ChatCompletionMessageToolCall[] | undefined): string[] {
  return (calls ?? []).map((call) => (call.type === 'function' ? call.function.name : call.custom.name));
}

/** The answer the model gave, as a key without an agent gets it. */
async function unjudged(fixture: FirewallFixture, model: string, content: string): Promise<ChatCompletion> {
  return fixture.openai(fixture.plainKey).chat.completions.create(request(model, content));
}

async function streamed(fixture: FirewallFixture, model: string, content: string) {
  const stream = fixture
    .openai(fixture.agentKey)
    .chat.completions.stream({ ...request(model, content), stream: true });
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, completion: await stream.finalChatCompletion() };
}

const toolDeltas = (chunks: readonly ChatCompletionChunk[]) =>
  chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));

describe.each([
  ['an OpenAI upstream, passed through', openaiUpstreamModel],
  ['an Anthropic upstream, translated', anthropicUpstreamModel],
])('the openai client, for %s', (_, model) => {
  describe('JSON answers', () => {
    it('pass an allowed call unchanged', async () => {
      const { data, response } = await patient
        .openai(patient.agentKey)
        .chat.completions.create(request(model, prompts.allowed))
        .withResponse();
      const expected = await unjudged(patient, model, prompts.allowed);
      expect(data.choices[0]?.message).toEqual(expected.choices[0]?.message);
      expect(names(data.choices[0]?.message.tool_calls)).toEqual(['get_weather']);
      expect(data.choices[0]?.finish_reason).toBe('tool_calls');
      expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBeNull();
    });

    it('take out the denied one of two parallel calls, and say so in the text and a header', async () => {
      const { data, response } = await patient
        .openai(patient.agentKey)
        .chat.completions.create(request(model, prompts.oneOfTwoDenied))
        .withResponse();
      const given = (await unjudged(patient, model, prompts.oneOfTwoDenied)).choices[0]?.message;
      expect(names(given?.tool_calls)).toEqual(['get_weather', 'delete_invoice']);
      const [weather, deletion] = given?.tool_calls ?? [];
      const message = data.choices[0]?.message;
      expect(message?.tool_calls).toEqual([weather]);
      expect(data.choices[0]?.finish_reason).toBe('tool_calls');
      expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBe(deletion?.id);
      expect(message?.content).toMatch(/^I will call get_weather and delete_invoice\.\n\nTool call /);
      expect(message?.content).toContain(`Tool call ${deletion?.id} (delete_invoice) was removed`);
      expect(message?.content).toContain('no-invoice-deletes-by-tool-call');
    });

    it('finish with stop when the only call is taken out', async () => {
      const completion = await patient
        .openai(patient.agentKey)
        .chat.completions.create(request(model, prompts.onlyDenied));
      expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.choices[0]?.message.content).toContain('(delete_invoice) was removed');
    });

    it('wait for a reviewer, and pass a call approved meanwhile', async () => {
      const known = await pendingRefundIds(patient);
      const answer = patient.openai(patient.agentKey).chat.completions.create(request(model, prompts.review));
      const queued = await nextRefundReview(patient, known);
      await resolveReview(patient, queued.id, 'approve');
      const completion = await answer;
      expect(names(completion.choices[0]?.message.tool_calls)).toEqual(['approve_refund']);
      expect(completion.choices[0]?.message.tool_calls?.[0]?.id).toBe(queued.resource.tool_call_id);
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    });

    it('take out a call a reviewer denies meanwhile, with the reviewer’s note', async () => {
      const known = await pendingRefundIds(patient);
      const answer = patient.openai(patient.agentKey).chat.completions.create(request(model, prompts.review));
      const queued = await nextRefundReview(patient, known);
      await resolveReview(patient, queued.id, 'deny', 'not this customer');
      const completion = await answer;
      expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
      expect(completion.choices[0]?.message.content).toContain('denied by reviewer "ada": not this customer');
    });

    it('hold a call still unreviewed when the wait runs out, and return its review id', async () => {
      const { data, response } = await hasty
        .openai(hasty.agentKey)
        .chat.completions.create(request(model, prompts.review))
        .withResponse();
      expect(data.choices[0]?.message.tool_calls).toBeUndefined();
      expect(data.choices[0]?.finish_reason).toBe('stop');
      const held = response.headers.get('x-gatehouse-tool-calls-held') ?? '';
      const [callId, reviewId] = held.split('=');
      expect(reviewId).toMatch(/^rev_[0-9a-f]{32}$/);
      expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBe(callId);
      expect(data.choices[0]?.message.content).toContain(`is held for human review ${reviewId}`);
      const item = await review(hasty, reviewId ?? '');
      expect(item).toMatchObject({ status: 'pending', action: 'approve_refund' });
      expect(item.resource).toMatchObject({ source: 'tool_call', tool_call_id: callId });
    });

    it('refuse the whole answer under on_deny: error', async () => {
      const refused = hasty
        .openai(hasty.agentKey)
        .chat.completions.create(request(model, prompts.oneOfTwoDenied));
      await expect(refused).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
      await expect(refused).rejects.toThrow(/called tool "delete_invoice" .* may not use: denied by policy/);
    });
  });

  describe('streams', () => {
    it('pass an allowed call unchanged', async () => {
      const { completion } = await streamed(patient, model, prompts.allowed);
      const expected = await unjudged(patient, model, prompts.allowed);
      expect(completion.choices[0]?.message.tool_calls).toEqual(expected.choices[0]?.message.tool_calls);
      expect(completion.choices[0]?.message.content).toBe('I will call get_weather.');
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    });

    it('take out the denied one of two parallel calls, either first or second, and renumber the other', async () => {
      for (const prompt of [prompts.oneOfTwoDenied, prompts.deniedFirst]) {
        const { chunks, completion } = await streamed(patient, model, prompt);
        const given = (await unjudged(patient, model, prompt)).choices[0]?.message.tool_calls ?? [];
        const weather = given.find((call) => names([call])[0] === 'get_weather');
        const deletion = given.find((call) => names([call])[0] === 'delete_invoice');
        expect(completion.choices[0]?.message.tool_calls).toEqual([weather]);
        // The call left went out whole, as index 0, whatever index it had.
        expect(toolDeltas(chunks).map((delta) => delta.index)).toEqual([0]);
        expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
        expect(completion.choices[0]?.message.content).toContain(
          `Tool call ${deletion?.id} (delete_invoice) was removed`,
        );
        // The note follows the model's own text as a paragraph of its own.
        expect(completion.choices[0]?.message.content).toMatch(/^I will call [a-z_ ]+\.\n\nTool call /);
      }
    });

    it('finish with stop when the only call is taken out', async () => {
      const { chunks, completion } = await streamed(patient, model, prompts.onlyDenied);
      expect(toolDeltas(chunks)).toEqual([]);
      expect(completion.choices[0]?.message.tool_calls ?? []).toEqual([]);
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.choices[0]?.message.content).toContain('(delete_invoice) was removed');
    });

    it('let the text flow while a call waits for its reviewer, then pass the approved call', async () => {
      const known = await pendingRefundIds(patient);
      const stream = patient
        .openai(patient.agentKey)
        .chat.completions.stream({ ...request(model, prompts.review), stream: true });
      let approved = false;
      for await (const chunk of stream) {
        // The call is approved only once text has arrived: text held back with the call would
        // leave it waiting for a reviewer who never comes, and the call would be held.
        if (!approved && (chunk.choices[0]?.delta.content ?? '') !== '') {
          approved = true;
          await resolveReview(patient, (await nextRefundReview(patient, known)).id, 'approve');
        }
      }
      const completion = await stream.finalChatCompletion();
      expect(approved).toBe(true);
      expect(names(completion.choices[0]?.message.tool_calls)).toEqual(['approve_refund']);
      expect(completion.choices[0]?.message.content).toBe('I will call approve_refund.');
    });

    it('hold a call still unreviewed when the wait runs out, naming its review in the text', async () => {
      const { completion } = await streamed(hasty, model, prompts.review);
      expect(completion.choices[0]?.message.tool_calls ?? []).toEqual([]);
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      const reviewId = /held for human review (rev_[0-9a-f]{32})/.exec(
        completion.choices[0]?.message.content ?? '',
      )?.[1];
      expect((await review(hasty, reviewId ?? '')).status).toBe('pending');
    });

    it('end with an error under on_deny: error, once the text before it went out', async () => {
      const stream = hasty
        .openai(hasty.agentKey)
        .chat.completions.stream({ ...request(model, prompts.deniedFirst), stream: true });
      let text = '';
      const reading = (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })();
      await expect(reading).rejects.toThrow(/called tool "delete_invoice" .* may not use: denied by policy/);
      expect(text).toBe('I will call delete_invoice and get_weather.');
    });
  });
});

it('leaves the answers of a key bound to no agent as the model gave them', async () => {
  const client = patient.openai(patient.plainKey);
  const { response, data } = await client.chat.completions
    .create(request(openaiUpstreamModel, prompts.onlyDenied))
    .withResponse();
  expect(names(data.choices[0]?.message.tool_calls)).toEqual(['delete_invoice']);
  expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBeNull();
  const stream = client.chat.completions.stream({
    ...request(openaiUpstreamModel, prompts.onlyDenied),
    stream: true,
  });
  expect(names((await stream.finalChatCompletion()).choices[0]?.message.tool_calls)).toEqual([
    'delete_invoice',
  ]);
});
