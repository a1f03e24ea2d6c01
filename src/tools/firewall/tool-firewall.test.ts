import { describe, expect, it } from 'vitest';
import { SseParser } from '../../dialects/index.js';
import type {
  AuthorizeToolCall,
  AwaitReview,
  FirewallScope,
  ToolCallAuthorization,
  ToolCallQuestion,
} from './firewall-contract.js';
import { removalHeaders } from './firewall-note.js';
import type { FirewallSettings } from './firewall-settings.js';
import type { Frame } from './stream-pump.js';
import type { ToolCallVerdict, ToolCallVerdictEvent } from './tool-call-verdict.js';
import { createToolFirewall } from './tool-firewall.js';

/**
 * The firewall without a gateway: the authorizer is a function that decides by tool name (as
 * the composition root's adapter over governance would), so the rewriting of answers and streams
 * is checked on shapes the mock provider never produces (interleaved and late deltas, several
 * choices, custom and legacy calls, in-band errors, streams without their finish).
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const settings: FirewallSettings = { enabled: true, onDeny: 'remove', reviewWaitMs: 50, confidence: 1 };

/** `deny_*` is denied, `review_*` needs review (never resolved), `fail_*` cannot be asked, others pass. */
function authorizeByName(asked: ToolCallQuestion[] = []): AuthorizeToolCall {
  return (question) => {
    asked.push(question);
    const decided = {
      tenantId: 'default',
      traceId: `trace-${question.action}`,
      reason: `because ${question.action}`,
    };
    let answer: ToolCallAuthorization = { type: 'allow', ...decided };
    if (question.action.startsWith('deny_')) answer = { type: 'deny', ...decided };
    if (question.action.startsWith('review_')) answer = { type: 'review', ...decided, reviewId: 'rev_1' };
    if (question.action.startsWith('fail_')) answer = { type: 'refused', reason: 'over the rate' };
    return Promise.resolve(answer);
  };
}

const neverReviewed: AwaitReview = () => Promise.resolve({ type: 'pending' });

function firewallWith(options: { authorize?: AuthorizeToolCall; events?: ToolCallVerdictEvent[] } = {}) {
  return createToolFirewall({
    settings,
    authorize: options.authorize ?? authorizeByName(),
    awaitReview: neverReviewed,
    observer: { judged: (event) => options.events?.push(event) },
    now: Date.now,
  });
}

function scope(dialect: 'openai' | 'anthropic', stream: boolean): FirewallScope {
  return {
    dialect,
    agent: 'bot',
    keyId: 'key_1',
    requestId: 'req-1',
    model: 'm',
    stream,
    headers: {},
    signal: new AbortController().signal,
  };
}

async function* framesOf(events: readonly (Json | string)[]): AsyncGenerator<Frame> {
  for (const event of events) {
    yield typeof event === 'string' ? `data: ${event}\n\n` : `data: ${JSON.stringify(event)}\n\n`;
    await Promise.resolve();
  }
}

async function collect(frames: AsyncIterable<Frame>): Promise<{ event?: string; data: string }[]> {
  const parser = new SseParser();
  const events = [];
  for await (const frame of frames)
    events.push(...parser.push(typeof frame === 'string' ? Buffer.from(frame) : frame));
  return events;
}

const chunk = (choice: Json): Json => ({ id: 'c', object: 'chat.completion.chunk', choices: [choice] });
const toolDelta = (index: number, call: Json, choice = 0) =>
  chunk({ index: choice, delta: { tool_calls: [{ index, ...call }] }, finish_reason: null });
const finish = (reason: string, choice = 0) => chunk({ index: choice, delta: {}, finish_reason: reason });

describe('an OpenAI stream', () => {
  it('keeps what was judged: a late delta of a released call is dropped, interleaved calls complete by index', async () => {
    const frames = framesOf([
      toolDelta(0, { id: 'a', type: 'function', function: { name: 'deny_a', arguments: '{"x"' } }),
      toolDelta(1, { id: 'b', type: 'function', function: { name: 'ok_b', arguments: '{}' } }),
      // A late piece of call 0 (already judged when call 1 began): what was judged goes out.
      toolDelta(0, { function: { arguments: ':1}' } }),
      toolDelta(2, { id: 'c', type: 'function', function: { name: 'ok_c', arguments: '{"y":2}' } }),
      finish('tool_calls'),
      '[DONE]',
    ]);
    const out = await collect(firewallWith().reviewStream(frames, scope('openai', true)));
    const chunks = out
      .filter((event) => event.data !== '[DONE]')
      .map((event) => JSON.parse(event.data) as Json);
    const calls = chunks.flatMap((data) => (data.choices[0].delta.tool_calls ?? []) as Json[]);
    expect(calls).toEqual([
      { index: 0, id: 'b', type: 'function', function: { name: 'ok_b', arguments: '{}' } },
      { index: 1, id: 'c', type: 'function', function: { name: 'ok_c', arguments: '{"y":2}' } },
    ]);
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
    expect(out.at(-1)?.data).toBe('[DONE]');
  });

  it('judges each choice apart, splitting a chunk that carries several', async () => {
    const both = {
      id: 'c',
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'deny_a', arguments: '' } }] },
        },
        {
          index: 1,
          delta: { tool_calls: [{ index: 0, id: 'b', function: { name: 'ok_b', arguments: '' } }] },
        },
      ],
    };
    const out = await collect(
      firewallWith().reviewStream(
        framesOf([both, finish('tool_calls', 0), finish('tool_calls', 1), '[DONE]']),
        scope('openai', true),
      ),
    );
    const chunks = out
      .filter((event) => event.data !== '[DONE]')
      .map((event) => JSON.parse(event.data) as Json);
    expect(chunks.every((data) => data.choices.length === 1)).toBe(true);
    const finishes = chunks.flatMap((data) =>
      data.choices[0].finish_reason === null ? [] : [[data.choices[0].index, data.choices[0].finish_reason]],
    );
    expect(finishes).toEqual([
      [0, 'stop'],
      [1, 'tool_calls'],
    ]);
  });

  it('takes out a legacy function_call and a custom tool call like any other', async () => {
    const out = await collect(
      firewallWith().reviewStream(
        framesOf([
          chunk({
            index: 0,
            delta: { role: 'assistant', function_call: { name: 'deny_f', arguments: '{' } },
          }),
          chunk({ index: 0, delta: { function_call: { arguments: '}' } } }),
          finish('function_call'),
          '[DONE]',
        ]),
        scope('openai', true),
      ),
    );
    const chunks = out
      .filter((event) => event.data !== '[DONE]')
      .map((event) => JSON.parse(event.data) as Json);
    expect(chunks.some((data) => data.choices[0].delta.function_call !== undefined)).toBe(false);
    expect(chunks[0]?.choices[0].delta).toEqual({ role: 'assistant' });
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');

    const custom = await firewallWith().reviewJson(
      Buffer.from(
        JSON.stringify({
          choices: [
            {
              index: 0,
              finish_reason: 'tool_calls',
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [{ id: 'x', type: 'custom', custom: { name: 'deny_x', input: 'rm -rf /' } }],
              },
            },
          ],
        }),
      ),
      scope('openai', false),
    );
    const body = JSON.parse(custom?.body.toString() ?? '{}') as Json;
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    expect(body.choices[0].message.content).toMatch(/^Tool call x \(deny_x\) was removed/);
  });

  it('drops calls an in-band error cut short, and judges calls left open by a stream without its finish', async () => {
    const asked: ToolCallQuestion[] = [];
    const firewall = firewallWith({ authorize: authorizeByName(asked) });
    const failed = await collect(
      firewall.reviewStream(
        framesOf([
          toolDelta(0, { id: 'a', function: { name: 'ok_a', arguments: '{"half' } }),
          { error: { message: 'upstream failed', type: 'api_error' } },
        ]),
        scope('openai', true),
      ),
    );
    expect(failed.map((event) => JSON.parse(event.data) as Json)).toEqual([
      { error: { message: 'upstream failed', type: 'api_error' } },
    ]);
    expect(asked).toEqual([]);
    const unfinished = await collect(
      firewall.reviewStream(
        framesOf([toolDelta(0, { id: 'a', function: { name: 'ok_a', arguments: '{}' } })]),
        scope('openai', true),
      ),
    );
    expect(asked.map((question) => question.action)).toEqual(['ok_a']);
    expect((JSON.parse(unfinished[0]?.data ?? '{}') as Json).choices[0].delta.tool_calls[0].id).toBe('a');
  });

  it('reads the source on while a call waits for its verdict, and reaches the source when the caller leaves', async () => {
    let release: (answer: ToolCallAuthorization) => void = () => undefined;
    const firewall = firewallWith({ authorize: () => new Promise((resolve) => (release = resolve)) });
    let read = 0;
    let returned = false;
    const source: AsyncIterable<Frame> = {
      [Symbol.asyncIterator]: () => {
        const events = [
          toolDelta(0, { id: 'a', function: { name: 'slow', arguments: '{}' } }),
          finish('tool_calls'),
          chunk({ index: 0, delta: {}, finish_reason: null }),
        ];
        return {
          next: () => {
            const event = events[read];
            read += 1;
            return Promise.resolve(
              event === undefined
                ? { done: true, value: undefined }
                : { done: false, value: `data: ${JSON.stringify(event)}\n\n` },
            );
          },
          return: () => {
            returned = true;
            return Promise.resolve({ done: true, value: undefined });
          },
        };
      },
    };
    const iterator = firewall.reviewStream(source, scope('openai', true))[Symbol.asyncIterator]();
    const first = iterator.next();
    // The verdict is pending, yet the whole source is read (an upstream stall timer must not fire).
    while (read < 4) await new Promise((resolve) => setImmediate(resolve));
    release({ type: 'allow', tenantId: 'default', traceId: 't', reason: 'fine' });
    expect(String((await first).value)).toContain('"id":"a"');
    await iterator.return?.();
    expect(returned).toBe(true);
  });
});

describe('an Anthropic stream', () => {
  const event = (data: Json) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;

  it('renumbers thinking and server-tool blocks around a call taken out, and leaves server tools alone', async () => {
    const blocks = [
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 't', name: 'deny_t', input: {} },
      },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} },
      },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ];
    async function* frames(): AsyncGenerator<Frame> {
      for (const data of blocks) {
        yield event(data);
        await Promise.resolve();
      }
    }
    const out = (await collect(firewallWith().reviewStream(frames(), scope('anthropic', true)))).map(
      (item) => JSON.parse(item.data) as Json,
    );
    const starts = out.filter((data) => data.type === 'content_block_start');
    expect(starts.map((data) => [data.index as number, data.content_block.type as string])).toEqual([
      [0, 'thinking'],
      [1, 'server_tool_use'],
      [2, 'text'],
    ]);
    expect(out.find((data) => data.type === 'message_delta')?.delta.stop_reason).toBe('end_turn');
  });
});

describe('verdicts', () => {
  it('fail closed: an authorizer that throws or cannot decide takes the call out, and each verdict is reported', async () => {
    const events: ToolCallVerdictEvent[] = [];
    const firewall = firewallWith({
      events,
      authorize: (question) =>
        question.action === 'boom' ? Promise.reject(new Error('down')) : authorizeByName()(question),
    });
    const reviewed = await firewall.reviewJson(
      Buffer.from(
        JSON.stringify({
          type: 'message',
          content: [
            { type: 'tool_use', id: 'a', name: 'boom', input: {} },
            { type: 'tool_use', id: 'b', name: 'fail_b', input: { n: 1 } },
            { type: 'tool_use', id: 'c', name: 'review_c', input: {} },
          ],
          stop_reason: 'tool_use',
        }),
      ),
      scope('anthropic', false),
    );
    expect(reviewed?.verdicts.map((verdict) => verdict.outcome)).toEqual(['failed', 'failed', 'held']);
    expect(events.map((event) => event.verdict.call.id)).toEqual(['a', 'b', 'c']);
    expect(events[1]?.argsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(reviewed?.headers).toEqual({
      'x-gatehouse-tool-calls-removed': 'a, b, c',
      'x-gatehouse-tool-calls-held': 'c=rev_1',
    });
  });

  it('name odd call ids in headers percent-encoded', () => {
    const verdict = (id: string): ToolCallVerdict => ({
      call: { id, name: 'x', arguments: '' },
      outcome: 'denied',
      reason: 'no',
      traceId: undefined,
      tenantId: undefined,
      reviewId: undefined,
    });
    expect(removalHeaders([verdict('a,b'), verdict('é\r\n'), verdict('plain_1')])).toEqual({
      'x-gatehouse-tool-calls-removed': 'a%2Cb, %C3%A9%0D%0A, plain_1',
    });
  });
});
