import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliGateway, testMasterKey } from './support/cli.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';

/**
 * SPEC sections 2 and 12: secret values are never logged, and are masked wherever configuration is
 * shown. Every secret here is recognisable, every request is logged at the most verbose level,
 * and the captured log must not contain any of them — while containing a line for every request,
 * so the test cannot pass by logging nothing.
 */

const openaiKey = 'sk-test-SECRET-openai-0000000000000000';
const anthropicKey = 'sk-ant-SECRET-0000000000';
const deadProviderKey = 'sk-test-SECRET-dead-provider-11111111';
const providerHeaderSecret = 'hdr-SECRET-custom-auth-2222222222';
/** Keys callers send that are not the master key. */
const wrongBearerKey = 'sk-test-SECRET-wrong-client-key-333333';
const providerLookingClientKey = 'sk-ant_SECRET_client_header_44444444';

let upstream: ScriptedUpstream;
let gateway: TestGateway;
let secrets: readonly string[];

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  gateway = await startTestGateway({
    log: { level: 'trace' },
    providers: {
      openai: {
        type: 'openai',
        base_url: `${upstream.url}/v1`,
        api_key: openaiKey,
        headers: { 'x-custom-auth': providerHeaderSecret },
      },
      anthropic: { type: 'anthropic', base_url: upstream.url, api_key: anthropicKey },
      // Nothing listens on port 9: connection refused.
      dead: { type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: deadProviderKey },
    },
    models: {
      'gpt-test': { targets: [{ provider: 'openai', model: 'gpt-upstream' }], retry: { attempts: 1 } },
      'claude-test': {
        targets: [{ provider: 'anthropic', model: 'claude-upstream' }],
        retry: { attempts: 1 },
      },
      'dead-test': {
        targets: [{ provider: 'dead', model: 'gpt-dead' }],
        retry: { attempts: 2, backoff_ms: 1 },
      },
    },
  });
  secrets = [
    gateway.masterKey,
    openaiKey,
    anthropicKey,
    deadProviderKey,
    providerHeaderSecret,
    wrongBearerKey,
    providerLookingClientKey,
  ];
});

afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

let sequence = 0;
const sentIds: string[] = [];
const responses: RawResponse[] = [];

interface Call {
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body: string | Readonly<Record<string, unknown>>;
}

/** Sends one request with a known request id, remembered for the per-request log check. */
async function call({ path = '/v1/chat/completions', headers = {}, body }: Call): Promise<RawResponse> {
  sequence += 1;
  const id = `secret-test-${sequence}`;
  sentIds.push(id);
  const response = await rawRequest(`${gateway.url}${path}`, {
    headers: {
      'content-type': 'application/json',
      'x-request-id': id,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  responses.push(response);
  return response;
}

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${gateway.masterKey}` });
const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 32,
  messages: [{ role: 'user', content: 'Hello' }],
  ...extra,
});

describe('requests that carry secrets in every way', () => {
  it('the master key as Bearer and as x-api-key, streaming and not, on both routes', async () => {
    expect((await call({ headers: bearer(), body: chat('gpt-test') })).status).toBe(200);
    expect((await call({ headers: bearer(), body: chat('gpt-test', { stream: true }) })).status).toBe(200);
    const anthropicHeaders = { 'x-api-key': gateway.masterKey, 'anthropic-version': '2023-06-01' };
    expect(
      (await call({ path: '/v1/messages', headers: anthropicHeaders, body: chat('claude-test') })).status,
    ).toBe(200);
    expect(
      (
        await call({
          path: '/v1/messages',
          headers: anthropicHeaders,
          body: chat('claude-test', { stream: true }),
        })
      ).status,
    ).toBe(200);
    // Across dialects too, so both provider keys are used from both routes.
    expect((await call({ headers: bearer(), body: chat('claude-test') })).status).toBe(200);
    expect(
      (await call({ path: '/v1/messages', headers: anthropicHeaders, body: chat('gpt-test') })).status,
    ).toBe(200);
    expect(
      (
        await call({
          path: '/v1/embeddings',
          headers: { 'x-api-key': gateway.masterKey },
          body: { model: 'gpt-test', input: 'Hello' },
        })
      ).status,
    ).toBe(200);
  });

  it('wrong keys, and keys that look like provider keys, are rejected', async () => {
    expect(
      (await call({ headers: { authorization: `Bearer ${wrongBearerKey}` }, body: chat('gpt-test') })).status,
    ).toBe(401);
    expect(
      (
        await call({
          path: '/v1/messages',
          headers: { 'x-api-key': providerLookingClientKey },
          body: chat('claude-test'),
        })
      ).status,
    ).toBe(401);
    expect((await call({ headers: { authorization: wrongBearerKey }, body: chat('gpt-test') })).status).toBe(
      401,
    );
  });

  it('a provider-looking x-api-key next to a valid Bearer key is ignored, never forwarded', async () => {
    const response = await call({
      headers: { ...bearer(), 'x-api-key': providerLookingClientKey, 'api-key': providerLookingClientKey },
      body: chat('gpt-test'),
    });
    expect(response.status).toBe(200);
  });

  it('secrets inside the body and the URL', async () => {
    // The master key in a prompt, in an invalid body, and in a query string.
    expect(
      (await call({ headers: bearer(), body: chat('gpt-test', { user: gateway.masterKey }) })).status,
    ).toBe(200);
    expect((await call({ headers: bearer(), body: `{"model": ${gateway.masterKey}}` })).status).toBe(400);
    expect(
      (
        await call({
          path: `/v1/chat/completions?api_key=${gateway.masterKey}`,
          headers: bearer(),
          body: chat('gpt-test'),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call({
          path: `/v1/no-such-route?key=${gateway.masterKey}`,
          headers: bearer(),
          body: chat('gpt-test'),
        })
      ).status,
    ).toBe(404);
    // Refused while reading the body, before any route ran, with the key in the query string.
    expect(
      (await call({ path: `/v1/no-such-route?key=${gateway.masterKey}`, headers: bearer(), body: '{' }))
        .status,
    ).toBe(400);
    expect(
      (await call({ path: `/v1/chat/completions?key=${gateway.masterKey}`, headers: bearer(), body: '{' }))
        .status,
    ).toBe(400);
  });

  it('upstream errors: 500, 429, 401 from the provider, and a provider that cannot be reached', async () => {
    try {
      upstream.setScript({ status: 500, errorMessage: 'Internal failure while serving the request.' });
      expect((await call({ headers: bearer(), body: chat('gpt-test') })).status).toBeGreaterThanOrEqual(500);
      upstream.setScript({
        status: 429,
        headers: { 'retry-after': '1' },
        errorMessage: 'Rate limit reached.',
      });
      expect((await call({ headers: bearer(), body: chat('claude-test') })).status).toBe(429);
      // What OpenAI says about a bad key: masked, as OpenAI masks it.
      upstream.setScript({ status: 401, errorMessage: 'Incorrect API key provided: sk-test-****0000.' });
      expect(
        (await call({ headers: bearer(), body: chat('gpt-test', { stream: true }) })).status,
      ).toBeGreaterThanOrEqual(400);
      upstream.setScript({ reset: true });
      expect((await call({ headers: bearer(), body: chat('gpt-test') })).status).toBeGreaterThanOrEqual(500);
    } finally {
      upstream.setScript({});
    }
    expect((await call({ headers: bearer(), body: chat('dead-test') })).status).toBeGreaterThanOrEqual(500);
  });
});

describe('what the log and the upstream saw', () => {
  it('every request has its log line', async () => {
    // Stream lines are written when the stream's summary settles, just after the response ends.
    const deadline = Date.now() + 3_000;
    let missing: string[] = sentIds;
    while (Date.now() < deadline) {
      const logged = new Set(gateway.logRecords().map((record) => record.request_id));
      missing = sentIds.filter((id) => !logged.has(id));
      if (missing.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(sentIds.length).toBeGreaterThanOrEqual(20);
    expect(missing).toEqual([]);
  });

  it('no secret appears anywhere in the log', () => {
    const lines = gateway.logs().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    // Whole secrets, and the distinctive part of one (a secret cut or re-encoded still leaks).
    const needles = [...secrets, 'SECRET', gateway.masterKey.slice(8, 28)];
    const leaks = lines.flatMap((line) =>
      needles.filter((needle) => line.includes(needle)).map((needle) => ({ needle, line })),
    );
    expect(leaks).toEqual([]);
  });

  it('the provider keys reached the upstream, and no caller credential did', () => {
    const seen = upstream.requests;
    expect(seen.length).toBeGreaterThan(0);
    const authorizations = seen.map(
      (request) => request.headers.authorization ?? request.headers['x-api-key'],
    );
    expect(authorizations).toContain(`Bearer ${openaiKey}`);
    expect(authorizations).toContain(anthropicKey);
    for (const request of seen) {
      const headers = JSON.stringify(request.headers);
      expect(headers).not.toContain(gateway.masterKey);
      expect(headers).not.toContain(providerLookingClientKey);
      expect(headers).not.toContain(wrongBearerKey);
    }
  });

  it('no response to a caller contains a provider key', () => {
    expect(responses.length).toBe(sentIds.length);
    for (const response of responses) {
      const text = `${JSON.stringify(response.headers)}${response.text}`;
      for (const secret of [openaiKey, anthropicKey, deadProviderKey, providerHeaderSecret]) {
        expect(text).not.toContain(secret);
      }
    }
  });
});

describe('the command line never prints a secret', () => {
  let cliUpstream: ScriptedUpstream;

  beforeAll(async () => {
    cliUpstream = await startScriptedUpstream();
  });

  afterAll(async () => {
    await cliUpstream.close();
  });

  it('a running gateway logs requests to stdout without the master key or the provider key', async () => {
    const cli = await startCliGateway({
      env: { LOG_LEVEL: 'trace', OPENAI_API_KEY: openaiKey, OPENAI_BASE_URL: `${cliUpstream.url}/v1` },
    });
    try {
      const headers = { 'content-type': 'application/json' };
      const body = JSON.stringify(chat('gpt-4o-mini'));
      const ok = await rawRequest(`${cli.url}/v1/chat/completions`, {
        headers: { ...headers, authorization: `Bearer ${testMasterKey}` },
        body,
      });
      expect(ok.status, ok.text).toBe(200);
      const wrong = await rawRequest(`${cli.url}/v1/messages`, {
        headers: { ...headers, 'x-api-key': providerLookingClientKey },
        body,
      });
      expect(wrong.status).toBe(401);
      expect(cliUpstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${openaiKey}`);
      cli.child.kill('SIGTERM');
      await cli.exited;
      const requestLines = cli.logRecords().filter((record) => record.msg === 'request');
      expect(requestLines).toHaveLength(2);
      const output = `${cli.stdout()}${cli.stderr()}`;
      for (const secret of [testMasterKey, openaiKey, providerLookingClientKey]) {
        expect(output, `the output contains ${secret}`).not.toContain(secret);
      }
    } finally {
      cli.kill();
    }
  });

  /** Runs `gatehouse start` on a configuration file; it must fail, and the secret must not show. */
  function startWithInvalidFile(yaml: string, env: Record<string, string> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-secret-'));
    const file = join(dir, 'gatehouse.yaml');
    writeFileSync(file, yaml);
    return runCli(['start', '--config', file], { env, cwd: dir });
  }

  it.each([
    {
      name: 'a master key that is too short',
      yaml: 'master_key: "sk-SECRET-short"\n',
      secret: 'sk-SECRET-short',
      field: 'master_key',
    },
    {
      name: 'a provider key next to an invalid base_url',
      yaml: `providers:\n  openai: { type: openai, api_key: "${openaiKey}", base_url: "not a url" }\n`,
      secret: openaiKey,
      field: 'providers.openai.base_url',
    },
    {
      name: 'a provider key under a misspelt name',
      yaml: `providers:\n  openai: { type: openai, api_kye: "${openaiKey}" }\n`,
      secret: openaiKey,
      field: 'api_kye',
    },
    {
      name: 'a provider key of the wrong type',
      yaml: `providers:\n  anthropic: { type: anthropic, api_key: ["${anthropicKey}"] }\n`,
      secret: anthropicKey,
      field: 'providers.anthropic.api_key',
    },
    {
      name: 'a provider key given as a number',
      yaml: 'providers:\n  openai: { type: openai, api_key: 98765432109876543210 }\n',
      secret: '98765432109876543210',
      field: 'providers.openai.api_key',
    },
    {
      name: 'a secret header value of the wrong type',
      yaml: `providers:\n  openai: { type: openai, api_key: "${openaiKey}", headers: { authorization: ["Bearer ${anthropicKey}"] } }\n`,
      secret: anthropicKey,
      field: 'headers',
    },
    {
      name: 'a password inside a malformed base_url',
      yaml: 'providers:\n  local: { type: openai-compatible, base_url: "https://user:pw-SECRET-in-url-5555@api.example.com:44a3/v1" }\n',
      secret: 'pw-SECRET-in-url-5555',
      field: 'providers.local.base_url',
    },
  ])('$name', async ({ yaml, secret, field }) => {
    const result = await startWithInvalidFile(yaml);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(field);
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
  });

  it('an invalid master key from the environment is named but not shown', async () => {
    const result = await runCli(['start'], { env: { GATEHOUSE_MASTER_KEY: 'SECRET-tiny' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GATEHOUSE_MASTER_KEY');
    expect(result.stderr).not.toContain('SECRET-tiny');
  });

  it('a provider key from the environment is not shown when its provider is invalid', async () => {
    const result = await runCli(['start'], {
      env: { GATEHOUSE_MASTER_KEY: testMasterKey, OPENAI_API_KEY: openaiKey, OPENAI_BASE_URL: 'not a url' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OPENAI_BASE_URL');
    expect(`${result.stdout}${result.stderr}`).not.toContain(openaiKey);
  });
});
