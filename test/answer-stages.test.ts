import OpenAI from 'openai';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapFrames, type Answer, type AnswerStage } from '../src/pipeline/index.js';
import { startMockServer, type MockServer } from '../src/providers/mock/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * An answer stage sees the answer before the caller does and may rewrite it, JSON and stream alike,
 * tool-call deltas included, without holding text back: here one renames every tool call a model
 * returns (what the tool-call firewall will do to a call it refuses), through the real gateway,
 * for the built-in mock and for an OpenAI-compatible upstream whose stream passes through as bytes.
 */

const renamedTool = 'renamed_by_stage';
const rewrittenArguments = '{"rewritten":true}';

type Chunk = { choices?: { delta?: { tool_calls?: ToolCallDelta[] }; message?: Message }[] };
type ToolCallDelta = { function?: { name?: string; arguments?: string } };
type Message = { tool_calls?: ToolCallDelta[] };

/** Every tool call's name, and its arguments written whole by the delta that names it. */
function rewriteToolCalls(calls: ToolCallDelta[] | undefined): void {
  for (const call of calls ?? []) {
    if (call.function === undefined) continue;
    if (call.function.name !== undefined) {
      call.function.name = renamedTool;
      call.function.arguments = rewrittenArguments;
    } else if (call.function.arguments !== undefined) {
      call.function.arguments = '';
    }
  }
}

const decoder = new TextDecoder();

/** One chunk of a stream holds one or more complete SSE events; each is rewritten on its own. */
function rewriteFrame(frame: Uint8Array | string): Uint8Array | string {
  const text = typeof frame === 'string' ? frame : decoder.decode(frame);
  if (!text.includes('"tool_calls"')) return frame;
  return text
    .split('\n\n')
    .map((event) => {
      const data = /^data: (\{.*\})$/s.exec(event)?.[1];
      if (data === undefined) return event;
      const chunk = JSON.parse(data) as Chunk;
      for (const choice of chunk.choices ?? []) rewriteToolCalls(choice.delta?.tool_calls);
      return `data: ${JSON.stringify(chunk)}`;
    })
    .join('\n\n');
}

let stageSawAnswers = 0;

/** Applies only to requests that declare tools: every other answer passes untouched. */
const toolRenamingStage: AnswerStage = {
  name: 'tool-renaming',
  wrap(answer: Answer, call): Answer {
    if (call.summary?.hasTools !== true || call.context.dialect !== 'openai') return answer;
    stageSawAnswers += 1;
    if (answer.type === 'stream') return { ...answer, frames: mapFrames(answer.frames, rewriteFrame) };
    const body = JSON.parse(answer.body.toString('utf8')) as Chunk;
    for (const choice of body.choices ?? []) rewriteToolCalls(choice.message?.tool_calls);
    return { ...answer, body: Buffer.from(JSON.stringify(body)) };
  },
};

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const question = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];

let mock: MockServer;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, host: '127.0.0.1' });
  gateway = await startTestGateway(
    {
      providers: { upstream: { type: 'openai-compatible', base_url: `${mock.url}/v1` } },
      models: { relayed: { targets: [{ provider: 'upstream', model: 'mock-relayed' }] } },
      // This test's stage takes the tool firewall's slot.
      firewall: { enabled: false },
    },
    { stages: { toolFirewall: toolRenamingStage } },
  );
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
});

afterAll(async () => {
  // Promptly: a wrapped stream whose caller left while the upstream stalled was cancelled.
  await gateway.close();
  await mock.close();
});

describe.each([
  ['the built-in mock', 'mock'],
  ['an OpenAI-compatible upstream, passed through', 'relayed'],
])('an answer stage, for %s', (_, model) => {
  it('rewrites the tool calls of a JSON answer before the caller gets it', async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: question,
      tools,
      tool_choice: 'required',
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function).toEqual({
      name: renamedTool,
      arguments: rewrittenArguments,
    });
  });

  it('rewrites the tool-call deltas of a stream before the caller gets them', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: question,
      tools,
      tool_choice: 'required',
      stream: true,
    });
    let name = '';
    let argumentsText = '';
    let deltas = 0;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        deltas += 1;
        name += delta.function?.name ?? '';
        argumentsText += delta.function?.arguments ?? '';
      }
    }
    // The mock streams a call's arguments in several deltas; each one passed through the stage.
    expect(deltas).toBeGreaterThan(1);
    expect({ name, argumentsText }).toEqual({ name: renamedTool, argumentsText: rewrittenArguments });
  });

  it('passes text frames on as they come, not once the answer is complete', async () => {
    const seen = stageSawAnswers;
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.masterKey}`,
        'content-type': 'application/json',
        // About twenty events 100 ms apart: a stage holding text back would deliver them at once.
        'x-mock-token-latency-ms': '100',
      },
      body: JSON.stringify({ model, messages: question, tools, tool_choice: 'none', stream: true }),
    });
    expect(response.status).toBe(200);
    if (response.body === null) throw new Error('a stream has a body');
    let received = '';
    let firstTextAt: number | undefined;
    for await (const bytes of response.body) {
      received += decoder.decode(bytes as Uint8Array);
      if (firstTextAt === undefined && /"content":"\S/.test(received)) firstTextAt = Date.now();
    }
    const endedAt = Date.now();
    expect(received).toContain('data: [DONE]');
    expect(firstTextAt).toBeDefined();
    expect(endedAt - (firstTextAt ?? endedAt)).toBeGreaterThan(500);
    expect(stageSawAnswers).toBe(seen + 1);
  });
});

it('leaves answers to requests without tools untouched, unwrapped', async () => {
  const seen = stageSawAnswers;
  const completion = await client.chat.completions.create({ model: 'mock', messages: question });
  expect(completion.choices[0]?.message.content).toMatch(/^Mock answer to:/);
  expect(stageSawAnswers).toBe(seen);
});
