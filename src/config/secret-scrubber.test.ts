import { describe, expect, it } from 'vitest';
import { configSchema } from './schema.js';
import { configuredSecrets, createSecretScrubber } from './secret-scrubber.js';

const openaiKey = 'sk-proj-EchoedOpenaiKey-0123456789abcdefghij';
const azureKey = 'a3f9c2e8b7d64f1e9c0b5a7d3e2f8c41';
const scrubber = createSecretScrubber([openaiKey, azureKey, 'short']);

describe('the secret scrubber', () => {
  it('removes configured secrets wherever they appear, and keeps the rest of the message', () => {
    const text = `Invalid request, header was '${azureKey}'; key=${openaiKey}.`;
    expect(scrubber.redact(text)).toBe("Invalid request, header was '[redacted]'; key=[redacted].");
    expect(scrubber.mask(text)).toBe("Invalid request, header was 'a3f...8c41'; key=sk-...ghij.");
  });

  it.each([
    ['a Bearer token', 'header was Bearer abcdefghijklmnop0123', 'header was Bearer [redacted]'],
    ['a Basic credential', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [redacted]'],
    ['an OpenAI key', ['key sk-', 'otherkey0123456789abcdef unknown'].join(''), 'key [redacted] unknown'],
    ['an OpenAI project key', 'sk-proj-abc_DEF-0123456789xyz', '[redacted]'],
    ['an Anthropic key', 'x-api-key sk-ant-api03-abc_def-0123456789ABCDEFGH', 'x-api-key [redacted]'],
    ['an Azure key after api-key', 'api-key: 0123456789abcdef0123456789abcdef', 'api-key: [redacted]'],
    [
      'a key in a JSON header bag',
      '{"api-key": "0123456789abcdef0123456789abcdef"}',
      '{"api-key": "[redacted]"}',
    ],
    ['an AWS access key id', ['id AK', 'IAIOSFODNN7EXAMPLE here'].join(''), 'id [redacted] here'],
    ['a Google API key', 'key=AIzaSyA-1234567890abcdefghijklmnopqrstu', 'key=[redacted]'],
    [
      'a JSON Web Token',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl',
      'token [redacted]',
    ],
    ['a gateway virtual key', 'key gh-0123456789abcdefghijABCDEFGHIJ_-xyz', 'key [redacted]'],
    [
      'a gateway grant token',
      // Assembled at run time: nothing token-shaped lives in the repository.
      `token ${['gh', 'grant', '0123456789abcdef', 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde'].join('_')}, id grant_0123456789abcdef`,
      'token [redacted], id grant_0123456789abcdef',
    ],
  ])('removes %s it was not configured with', (_name, text, expected) => {
    expect(scrubber.redact(text)).toBe(expected);
  });

  it.each([
    'The model gpt-4o-mini does not exist',
    'the api_key_invalid_for_this_model error',
    'api key is missing',
    'Rate limit reached for requests; retry in 20s',
    'short is not scrubbed verbatim: too short to tell from a word',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(scrubber.redact(text)).toBe(text);
  });

  it('masks each value once (a masked value is not masked again)', () => {
    expect(scrubber.mask(`Bearer ${openaiKey}`)).toBe('Bearer sk-...ghij');
  });

  it("takes time linear in the text: a provider may echo a caller's megabyte back", () => {
    const megabyte = 1_000_000;
    const texts = [
      `${' '.repeat(megabyte)}${'x'.repeat(20)}`,
      'Bearer '.repeat(megabyte / 7),
      `api-key${' : '.repeat(megabyte / 3)}${'x'.repeat(30)}`,
      `eyJ${'a'.repeat(megabyte)}`,
      'sk- '.repeat(megabyte / 4),
    ];
    const started = performance.now();
    for (const text of texts) {
      scrubber.redact(text);
      scrubber.mask(text);
    }
    // Quadratic matching took seconds for 40 kB; linear takes well under a second for all of these.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('finds every secret field of a configuration', () => {
    const config = configSchema.parse({
      providers: {
        openai: { type: 'openai', api_key: openaiKey, headers: { 'x-custom-token': 'header-secret-0001' } },
        azure: { type: 'azure', base_url: 'https://a.example', api_key: azureKey, api_version: 'v' },
      },
    });
    expect(configuredSecrets(config)).toEqual(
      expect.arrayContaining([openaiKey, azureKey, 'header-secret-0001']),
    );
  });
});
