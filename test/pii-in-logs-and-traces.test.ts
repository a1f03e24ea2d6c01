import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samples } from '../src/guard/pii/samples.js';
import type { AnswerStage } from '../src/pipeline/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import {
  startScriptedUpstream,
  type RecordedRequest,
  type Script,
  type ScriptedUpstream,
} from './support/scripted-upstream.js';
import { scrape, startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from './support/telemetry.js';

/**
 * Issue 7 (PII and secrets): personal data and credentials are always masked in logs and traces.
 * A real gateway on port 0 logs to memory and traces to a local OTLP receiver; the real OpenAI and
 * Anthropic clients send prompts holding an email address, a card number and an OpenAI key
 * look-alike, and these reach the log the ways a caller's words can: a provider's error message
 * that quotes the prompt (JSON and in-band stream errors, both dialects), an exception whose
 * message quotes it (logged by pino with its stack), and the model name a caller sent (the request
 * log and the request span). The captured log output and the exported spans are then read: the
 * values are nowhere, their masks are where the values were, and the metrics counted them.
 */

const email = samples.email;
const card = samples.card;
const openaiKey = samples.openaiKey();
const prompt = `My email is ${email}, my card is ${card} and my key is ${openaiKey}.`;
/** Every form a value could leak in, spaced or not, whole or after a prefix a masker stopped at. */
const needles = [email, card, card.replaceAll(' ', ''), openaiKey, openaiKey.slice(8), 'jane.doe'];

let upstream: ScriptedUpstream;
let receiver: OtlpReceiver;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;
let spans: ExportedSpan[] = [];

/** The last user message's text as the upstream received it: what a careless provider quotes back. */
function quotedPrompt(request: RecordedRequest): string {
  const body = JSON.parse(request.body || '{}') as { messages?: { content?: unknown }[] };
  const content = body.messages?.at(-1)?.content;
  return typeof content === 'string' ? content : JSON.stringify(content);
}

/** Throws with the prompt in its message, for prompts that ask for it: a bug that quotes user text. */
const throwingStage: AnswerStage = {
  name: 'throws-with-the-prompt',
  wrap(answer, call) {
    const messages = call.context.body.messages as { content?: string }[] | undefined;
    const content = messages?.at(-1)?.content ?? '';
    if (content.startsWith('EXPLODE')) throw new Error(`could not handle "${content}"`);
    return answer;
  },
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  upstream = await startScriptedUpstream((request): Script => {
    const errorMessage = `Rejected prompt: ${quotedPrompt(request)}`;
    if (quotedPrompt(request).startsWith('EXPLODE')) return {};
    return request.stream ? { errorMessage, streamErrorAfterWords: 1 } : { errorMessage, status: 400 };
  });
  gateway = await startTestGateway(
    {
      log: { level: 'trace' },
      tracing: { mode: 'otlp', otlp_endpoint: receiver.url },
      providers: {
        scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1` },
        claude: { type: 'anthropic', base_url: upstream.url, api_key: 'scripted-anthropic-key' },
      },
      models: {
        'gpt-scripted': { targets: [{ provider: 'scripted', model: 'upstream' }], retry: { attempts: 1 } },
        'claude-scripted': { targets: [{ provider: 'claude', model: 'upstream' }], retry: { attempts: 1 } },
      },
    },
    { stages: { conversationStorage: throwingStage } },
  );
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: gateway.masterKey, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
  await receiver.close();
});

const userMessage = (content: string) => [{ role: 'user' as const, content }];

describe('what a caller sent, on its way into the log', () => {
  it("is masked in a provider's error message, OpenAI client, JSON answer", async () => {
    await expect(
      openai.chat.completions.create({ model: 'gpt-scripted', messages: userMessage(prompt) }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("is masked in a provider's in-band stream error, OpenAI client", async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-scripted',
      messages: userMessage(prompt),
      stream: true,
    });
    await expect(async () => {
      for await (const _chunk of stream);
    }).rejects.toThrow(/Rejected prompt/);
  });

  it("is masked in a provider's error message, Anthropic client", async () => {
    await expect(
      anthropic.messages.create({ model: 'claude-scripted', max_tokens: 16, messages: userMessage(prompt) }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('is masked in an exception that quotes it, logged with its stack', async () => {
    await expect(
      openai.chat.completions.create({ model: 'gpt-scripted', messages: userMessage(`EXPLODE ${prompt}`) }),
    ).rejects.toMatchObject({ status: 500 });
  });

  it('is masked in the model name it asked for', async () => {
    await expect(
      openai.chat.completions.create({ model: `assistant:${email}`, messages: userMessage('Hello') }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe('the captured log output', () => {
  it('holds none of the values, in any form', () => {
    const logs = gateway.logs();
    for (const needle of needles) expect(logs).not.toContain(needle);
  });

  it('holds their masks where the values were', () => {
    const records = gateway.logRecords();
    const requests = records.filter((record) => record.msg === 'request');
    const quoted = requests
      .map((record) => `${String(record.error_message)} ${String(record.error_cause)}`)
      .filter((text) => text.includes('Rejected prompt'));
    // Two OpenAI calls (JSON and stream) and one Anthropic call quoted the prompt back.
    expect(quoted.length).toBeGreaterThanOrEqual(3);
    for (const text of quoted) {
      expect(text).toContain('My email is [EMAIL], my card is [CARD:...1111] and my key is [OPENAI_KEY]');
    }
    const unhandled = records.find((record) => record.msg === 'unhandled error');
    const error = unhandled?.err as { message?: string; stack?: string } | undefined;
    expect(error?.message).toContain('could not handle "EXPLODE My email is [EMAIL]');
    expect(error?.stack).toContain('[CARD:...1111]');
    expect(requests.some((record) => record.model === 'assistant:[EMAIL]')).toBe(true);
  });

  it('masks nothing else: request ids, timestamps, durations, addresses are not taken for values', () => {
    const masks = new Set(gateway.logs().match(/\[[A-Z_]+(?::\.\.\.\d{4})?\]/g) ?? []);
    expect([...masks].sort()).toEqual(['[CARD:...1111]', '[EMAIL]', '[OPENAI_KEY]']);
  });

  it('counts what was masked, by kind, as masked in a log', async () => {
    const metrics = await scrape(`${gateway.url}/metrics`, { authorization: `Bearer ${gateway.masterKey}` });
    for (const type of ['email', 'card', 'openai_key']) {
      expect(
        metrics.value('gatehouse_guard_pii_detections_total', { type, where: 'log' }),
      ).toBeGreaterThanOrEqual(4);
    }
    expect(
      metrics.value('gatehouse_guard_pii_detections_total', { type: 'email', where: 'trace' }),
    ).toBeGreaterThan(0);
  });
});

describe('the exported spans', () => {
  beforeAll(async () => {
    // Closing flushes the batch span processor: every span is exported before it resolves.
    await gateway.close();
    spans = receiver.spans();
  });

  it('hold none of the values: not in anything the exporter sent', () => {
    expect(spans.length).toBeGreaterThan(0);
    const exported = receiver.exports.map((received) => received.body).join('\n');
    expect(exported).toContain('[EMAIL]');
    for (const needle of needles) expect(exported).not.toContain(needle);
  });

  it('name the model a caller asked for with its email masked', () => {
    const span = spans.find(
      (candidate) => candidate.attributes['gen_ai.request.model'] === 'assistant:[EMAIL]',
    );
    expect(span?.name).toBe('chat assistant:[EMAIL]');
  });
});
