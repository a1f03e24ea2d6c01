import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskSecret } from '../src/config/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';

/**
 * A provider that quotes the credential it received in its error message ("Invalid request, header
 * was 'Bearer sk-…'") must not hand the gateway's provider key to the caller: not in any error
 * status, not as JSON or plain text, not before a stream starts nor inside one, in neither dialect.
 * The server log keeps the provider's message, with the key masked.
 */

const openaiKey = 'sk-proj-EchoedOpenaiKey-0123456789abcdefghij';
const anthropicKey = 'sk-ant-api03-EchoedAnthropicKey-0123456789abcdef';
const azureKey = 'a3f9c2e8b7d64f1e9c0b5a7d3e2f8c41';
const providerKeys = [openaiKey, anthropicKey, azureKey];

let upstream: ScriptedUpstream;
let gateway: TestGateway;

/** The credential header the upstream received, quoted back the way careless providers do. */
function echoOfCredentials(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const name = ['authorization', 'x-api-key', 'api-key'].find((header) => headers[header] !== undefined);
  const value = name === undefined ? 'none' : String(headers[name]);
  return `Invalid request, header was '${value}' (${name ?? 'no credential header'}); key ${value.replace(/^Bearer /, '')} is not valid here`;
}

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  gateway = await startTestGateway({
    // Every answer here is a failure; the breakers must not take the targets out of rotation.
    circuit_breaker: { minimum_requests: 1_000_000 },
    providers: {
      openai: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: openaiKey },
      anthropic: { type: 'anthropic', base_url: upstream.url, api_key: anthropicKey },
      azure: { type: 'azure', base_url: upstream.url, api_key: azureKey, api_version: '2024-06-01' },
    },
    models: Object.fromEntries(
      ['openai', 'anthropic', 'azure'].map((provider) => [
        `via-${provider}`,
        { targets: [{ provider, model: `${provider}-model` }], retry: { attempts: 1 } },
      ]),
    ),
  });
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

function ask(dialect: 'openai' | 'anthropic', model: string, stream: boolean): Promise<RawResponse> {
  const messages = [{ role: 'user', content: 'Hello' }];
  return dialect === 'openai'
    ? rawRequest(`${gateway.url}/v1/chat/completions`, {
        headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages, stream }),
      })
    : rawRequest(`${gateway.url}/v1/messages`, {
        headers: {
          'x-api-key': gateway.masterKey,
          'anthropic-version': '2023-06-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ model, messages, stream, max_tokens: 16 }),
      });
}

function expectNoProviderKey(response: RawResponse): void {
  const seen = `${JSON.stringify(response.headers)}\n${response.text}`;
  for (const key of providerKeys) {
    expect(seen).not.toContain(key);
    // Not even the part after a prefix a scrubber might have stopped at.
    expect(seen).not.toContain(key.slice(8));
  }
}

const providers = ['openai', 'anthropic', 'azure'] as const;
const dialects = ['openai', 'anthropic'] as const;
const statuses = [400, 404, 422, 429, 500] as const;
const formats = ['json', 'text'] as const;

describe.each(providers)('a %s provider that echoes its credential', (provider) => {
  describe.each(dialects)('to a caller of the %s dialect', (dialect) => {
    describe.each(statuses)('in an HTTP %i answer', (status) => {
      it.each(formats)('written as %s, streaming or not, reaches the caller scrubbed', async (format) => {
        upstream.setScript((request) => ({
          status,
          errorFormat: format,
          errorMessage: echoOfCredentials(request.headers),
        }));
        for (const stream of [false, true]) {
          const response = await ask(dialect, `via-${provider}`, stream);
          expect(response.status).toBe(status);
          expectNoProviderKey(response);
          // The provider's message is kept, only the credential is taken out of it.
          expect(response.text).toContain('Invalid request, header was');
          expect(response.text).toContain('[redacted]');
        }
      });
    });

    it.each([0, 2])(
      'in an in-band stream error after %i words, reaches the caller scrubbed',
      async (words) => {
        upstream.setScript((request) => ({
          streamErrorAfterWords: words,
          errorMessage: echoOfCredentials(request.headers),
        }));
        const response = await ask(dialect, `via-${provider}`, true);
        expectNoProviderKey(response);
        expect(response.text).toContain('Invalid request, header was');
        expect(response.text).toContain('[redacted]');
      },
    );
  });
});

describe('an answer that is not a success', () => {
  it.each([301, 302, 307])(
    'with HTTP %i is never relayed as it came, even on the same-dialect fast path',
    async (status) => {
      upstream.setScript((request) => ({ status, errorMessage: echoOfCredentials(request.headers) }));
      for (const provider of ['openai', 'azure'] as const) {
        for (const stream of [false, true]) {
          const response = await ask('openai', `via-${provider}`, stream);
          expect(response.status).toBe(502);
          expectNoProviderKey(response);
        }
      }
    },
  );
});

describe('a provider refusing the gateway credentials (401, 403)', () => {
  it.each([401, 403])('is a 502 without its words; the log keeps them, masked', async (status) => {
    upstream.setScript((request) => ({ status, errorMessage: echoOfCredentials(request.headers) }));
    for (const provider of providers) {
      for (const dialect of dialects) {
        const response = await ask(dialect, `via-${provider}`, false);
        expect(response.status).toBe(502);
        expectNoProviderKey(response);
        expect(response.text).not.toContain('Invalid request, header was');
      }
    }
    const causes = gateway
      .logRecords()
      .map((record) => record.error_cause)
      .filter((cause): cause is string => typeof cause === 'string');
    for (const key of providerKeys) {
      expect(causes.some((cause) => cause.includes(maskSecret(key)))).toBe(true);
      expect(causes.some((cause) => cause.includes(key))).toBe(false);
    }
  });
});

describe('the server log', () => {
  it('keeps the provider messages with every key masked, never raw', async () => {
    upstream.setScript((request) => ({ status: 400, errorMessage: echoOfCredentials(request.headers) }));
    for (const provider of providers) await ask('openai', `via-${provider}`, false);
    const logs = gateway.logs();
    for (const key of providerKeys) {
      expect(logs).not.toContain(key);
      expect(logs).toContain(maskSecret(key));
    }
    const messages = gateway
      .logRecords()
      .map((record) => record.error_message)
      .filter((message): message is string => typeof message === 'string');
    expect(messages.some((message) => message.includes('Invalid request, header was'))).toBe(true);
  });
});
