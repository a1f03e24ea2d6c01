import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlock,
  Message,
  MessageCreateParamsNonStreaming,
  MessageStreamEvent,
  TextBlock,
  ToolUseBlock,
} from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anthropicTools,
  anthropicUpstreamModel,
  nextRefundReview,
  openaiUpstreamModel,
  pendingRefundIds,
  prompts,
  resolveReview,
  review,
  startFirewallFixture,
  type FirewallFixture,
} from './support/firewall-fixture.js';

/**
 * The tool-call firewall with the real `@anthropic-ai/sdk` client, JSON and streams, for an
 * Anthropic upstream (passed through as bytes) and an OpenAI one (translated): `tool_use` blocks
 * allowed pass unchanged, denied ones are taken out (a text block and a header say so), blocks
 * after them are renumbered, `tool_use` stops with no call left become `end_turn`; calls that need
 * review wait for a reviewer or are held; `on_deny: error` refuses the answer.
 */

let patient: FirewallFixture;
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

const request = (model: string, content: string): MessageCreateParamsNonStreaming => ({
  model,
  max_tokens: 256,
  messages: [{ role: 'user', content }],
  tools: anthropicTools,
});

/** The refusal's message; the client quotes the error body, its quotes escaped. */
const refusal = /called tool \\?"delete_invoice\\?" .* may not use: denied by policy/;

const uses = (message: Message): ToolUseBlock[] =>
  message.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
const texts = (message: Message): string[] =>
  message.content.filter((block): block is TextBlock => block.type === 'text').map((block) => block.text);

async function unjudged(fixture: FirewallFixture, model: string, content: string): Promise<Message> {
  return fixture.anthropic(fixture.plainKey).messages.create(request(model, content));
}

async function streamed(fixture: FirewallFixture, model: string, content: string) {
  const stream = fixture.anthropic(fixture.agentKey).messages.stream(request(model, content));
  const events: MessageStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return { events, message: await stream.finalMessage() };
}

/** Each block's start index and type, in order: the indices must count 0, 1, 2, … */
const starts = (events: readonly MessageStreamEvent[]) =>
  events
    .filter((event) => event.type === 'content_block_start')
    .map((event) => [event.index, event.content_block.type]);

/** The block types, and tool names, of a message. */
const shape = (content: readonly ContentBlock[]) =>
  content.map((block) => (block.type === 'tool_use' ? block.name : block.type));

describe.each([
  ['an Anthropic upstream, passed through', anthropicUpstreamModel],
  ['an OpenAI upstream, translated', openaiUpstreamModel],
])('the @anthropic-ai/sdk client, for %s', (_, model) => {
  describe('JSON answers', () => {
    it('pass an allowed call unchanged', async () => {
      const { data, response } = await patient
        .anthropic(patient.agentKey)
        .messages.create(request(model, prompts.allowed))
        .withResponse();
      expect(data.content).toEqual((await unjudged(patient, model, prompts.allowed)).content);
      expect(shape(data.content)).toEqual(['text', 'get_weather']);
      expect(data.stop_reason).toBe('tool_use');
      expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBeNull();
    });

    it('take out the denied one of two parallel calls, and say so in a text block and a header', async () => {
      const { data, response } = await patient
        .anthropic(patient.agentKey)
        .messages.create(request(model, prompts.oneOfTwoDenied))
        .withResponse();
      const given = await unjudged(patient, model, prompts.oneOfTwoDenied);
      const [weather, deletion] = uses(given);
      expect(shape(data.content)).toEqual(['text', 'get_weather', 'text']);
      expect(uses(data)).toEqual([weather]);
      expect(data.stop_reason).toBe('tool_use');
      expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBe(deletion?.id);
      expect(texts(data)[1]).toContain(`Tool call ${deletion?.id} (delete_invoice) was removed`);
      expect(texts(data)[1]).toContain('no-invoice-deletes-by-tool-call');
    });

    it('end the turn when the only call is taken out', async () => {
      const message = await patient
        .anthropic(patient.agentKey)
        .messages.create(request(model, prompts.onlyDenied));
      expect(uses(message)).toEqual([]);
      expect(message.stop_reason).toBe('end_turn');
      expect(texts(message).join('\n')).toContain('(delete_invoice) was removed');
    });

    it('wait for a reviewer, and pass a call approved meanwhile', async () => {
      const known = await pendingRefundIds(patient);
      const answer = patient.anthropic(patient.agentKey).messages.create(request(model, prompts.review));
      const queued = await nextRefundReview(patient, known);
      await resolveReview(patient, queued.id, 'approve');
      const message = await answer;
      expect(uses(message).map((block) => block.id)).toEqual([queued.resource.tool_call_id]);
      expect(message.stop_reason).toBe('tool_use');
    });

    it('hold a call still unreviewed when the wait runs out, and return its review id', async () => {
      const { data, response } = await hasty
        .anthropic(hasty.agentKey)
        .messages.create(request(model, prompts.review))
        .withResponse();
      expect(uses(data)).toEqual([]);
      expect(data.stop_reason).toBe('end_turn');
      const [callId, reviewId] = (response.headers.get('x-gatehouse-tool-calls-held') ?? '').split('=');
      expect(reviewId).toMatch(/^rev_[0-9a-f]{32}$/);
      expect(response.headers.get('x-gatehouse-tool-calls-removed')).toBe(callId);
      expect(texts(data).join('\n')).toContain(`is held for human review ${reviewId}`);
      expect((await review(hasty, reviewId ?? '')).status).toBe('pending');
    });

    it('refuse the whole answer under on_deny: error', async () => {
      const refused = hasty.anthropic(hasty.agentKey).messages.create(request(model, prompts.oneOfTwoDenied));
      await expect(refused).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
      await expect(refused).rejects.toThrow(refusal);
    });
  });

  describe('streams', () => {
    it('pass an allowed call unchanged', async () => {
      const { events, message } = await streamed(patient, model, prompts.allowed);
      expect(message.content).toEqual((await unjudged(patient, model, prompts.allowed)).content);
      expect(starts(events)).toEqual([
        [0, 'text'],
        [1, 'tool_use'],
      ]);
      expect(message.stop_reason).toBe('tool_use');
    });

    it('take out the denied one of two parallel calls, either first or second, renumbering what follows', async () => {
      for (const prompt of [prompts.oneOfTwoDenied, prompts.deniedFirst]) {
        const { events, message } = await streamed(patient, model, prompt);
        const given = uses(await unjudged(patient, model, prompt));
        const weather = given.find((block) => block.name === 'get_weather');
        const deletion = given.find((block) => block.name === 'delete_invoice');
        expect(uses(message)).toEqual([weather]);
        expect(starts(events)).toEqual([
          [0, 'text'],
          [1, 'tool_use'],
          [2, 'text'],
        ]);
        // Every delta and stop names a block that started, under its new index.
        const indices = events.flatMap((event) =>
          event.type === 'content_block_delta' || event.type === 'content_block_stop' ? [event.index] : [],
        );
        expect(new Set(indices)).toEqual(new Set([0, 1, 2]));
        expect(message.stop_reason).toBe('tool_use');
        expect(texts(message)[1]).toContain(`Tool call ${deletion?.id} (delete_invoice) was removed`);
      }
    });

    it('end the turn when the only call is taken out', async () => {
      const { events, message } = await streamed(patient, model, prompts.onlyDenied);
      expect(uses(message)).toEqual([]);
      expect(starts(events)).toEqual([
        [0, 'text'],
        [1, 'text'],
      ]);
      expect(message.stop_reason).toBe('end_turn');
      expect(texts(message)[1]).toContain('(delete_invoice) was removed');
    });

    it('let the text flow while a call waits for its reviewer, then pass the approved call', async () => {
      const known = await pendingRefundIds(patient);
      const stream = patient.anthropic(patient.agentKey).messages.stream(request(model, prompts.review));
      let approved = false;
      for await (const event of stream) {
        // Approved only once text arrived: text held back with the call would never be approved.
        if (!approved && event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          approved = true;
          await resolveReview(patient, (await nextRefundReview(patient, known)).id, 'approve');
        }
      }
      const message = await stream.finalMessage();
      expect(approved).toBe(true);
      expect(shape(message.content)).toEqual(['text', 'approve_refund']);
      expect(message.stop_reason).toBe('tool_use');
    });

    it('hold a call still unreviewed when the wait runs out, naming its review in the text', async () => {
      const { message } = await streamed(hasty, model, prompts.review);
      expect(uses(message)).toEqual([]);
      expect(message.stop_reason).toBe('end_turn');
      const reviewId = /held for human review (rev_[0-9a-f]{32})/.exec(texts(message).join('\n'))?.[1];
      expect((await review(hasty, reviewId ?? '')).status).toBe('pending');
    });

    it('end with an error under on_deny: error, once the text before it went out', async () => {
      const stream = hasty.anthropic(hasty.agentKey).messages.stream(request(model, prompts.deniedFirst));
      let text = '';
      stream.on('text', (delta) => {
        text += delta;
      });
      await expect(stream.finalMessage()).rejects.toThrow(refusal);
      expect(text).toBe('I will call delete_invoice and get_weather.');
    });
  });
});
