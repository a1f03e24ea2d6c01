import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';
import {
  createKey,
  freePort,
  scrape,
  startOtlpReceiver,
  waitFor,
  type OtlpReceiver,
} from './support/telemetry.js';

/**
 * SPEC section 12 / issue 7: no secret or authorization value appears in logs, spans or metrics.
 * Providers are configured with recognisable keys and header secrets, tracing exports to Langfuse
 * (a local receiver) with a recognisable secret key and collector token, and requests carry the
 * master key, virtual keys, wrong keys and provider-looking keys in every header the gateway might
 * read — plus a prompt that must stay out of spans. Everything the gateway wrote (every log line at
 * trace level, every exported span body, both metrics endpoints) is then searched for each secret,
 * after checking that each of them actually holds the traffic, so the test cannot pass vacuously.
 */

const openaiKey = 'sk-proj-SECRET-openai-provider-0000000000';
const anthropicKey = 'sk-ant_api03_SECRET_anthropic_provider_1111111111';
const providerHeaderSecret = 'org-SECRET-header-2222222222';
const langfuseSecretKey = 'sk-lf-SECRET-langfuse-3333333333';
const langfusePublicKey = 'pk-lf-public-4444444444';
const collectorToken = 'otlp-SECRET-collector-token-5555555555';
const wrongKey = 'sk-SECRET-wrong-client-key-6666666666';
const clientProviderKey = 'sk-ant_api03_SECRET_client_sent_7777777777';
const clientOpenaiKey = 'sk-proj-SECRET-client-sent-8888888888';
const promptText = 'PROMPT-SECRET-do-not-trace-9999999999';

let receiver: OtlpReceiver;
let upstream: ScriptedUpstream;
let gateway: TestGateway;
let metricsPort: number;
let userKey: { id: string; secret: string };
let adminKey: { id: string; secret: string };
const responses: { name: string; response: RawResponse }[] = [];
let metricsTexts: string[];
let logText: string;
let spanBodies: string;

/** Every secret, with a distinctive fragment of each: a truncated echo must not slip through either. */
function secrets(): { name: string; value: string }[] {
  const list = [
    { name: 'master key', value: gateway.masterKey },
    { name: 'virtual key', value: userKey.secret },
    { name: 'admin virtual key', value: adminKey.secret },
    { name: 'OpenAI provider key', value: openaiKey },
    { name: 'Anthropic provider key', value: anthropicKey },
    { name: 'provider header', value: providerHeaderSecret },
    { name: 'Langfuse secret key', value: langfuseSecretKey },
    {
      name: 'Langfuse credentials',
      value: Buffer.from(`${langfusePublicKey}:${langfuseSecretKey}`).toString('base64'),
    },
    { name: 'collector token', value: collectorToken },
    { name: 'wrong client key', value: wrongKey },
    { name: 'client-sent Anthropic-looking key', value: clientProviderKey },
    { name: 'client-sent OpenAI-looking key', value: clientOpenaiKey },
    { name: 'Basic credentials', value: Buffer.from(`user:${wrongKey}`).toString('base64') },
  ];
  const fragments = list.map(({ name, value }) => ({ name: `${name} (last 16)`, value: value.slice(-16) }));
  return [...list, ...fragments];
}

async function send(
  name: string,
  path: string,
  headers: Record<string, string>,
  body: Record<string, unknown> | string,
): Promise<RawResponse> {
  const response = await rawRequest(`${gateway.url}${path}`, {
    headers: { 'content-type': 'application/json', 'x-request-id': `secrets-${name}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  responses.push({ name, response });
  return response;
}

const openaiChat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 16,
  messages: [{ role: 'user', content: promptText }],
  ...extra,
});
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  upstream = await startScriptedUpstream((request) => {
    // A provider that echoes the key it was given in its error message, as OpenAI's 401 does.
    if (request.body.includes('upstream-echo-key'))
      return { status: 401, errorMessage: `Incorrect API key provided: ${openaiKey}.` };
    return {};
  });
  metricsPort = await freePort();
  gateway = await startTestGateway({
    server: { metrics_port: metricsPort },
    log: { level: 'trace' },
    tracing: {
      mode: 'langfuse',
      otlp_headers: `x-collector-token=${collectorToken}`,
      langfuse: { public_key: langfusePublicKey, secret_key: langfuseSecretKey, url: receiver.url },
    },
    providers: {
      openai: {
        type: 'openai',
        base_url: `${upstream.url}/v1`,
        api_key: openaiKey,
        headers: { 'openai-organization': providerHeaderSecret },
      },
      anthropic: { type: 'anthropic', base_url: upstream.url, api_key: anthropicKey },
    },
    models: {
      'gpt-secret': { targets: [{ provider: 'openai', model: 'upstream-model' }] },
      'claude-secret': { targets: [{ provider: 'anthropic', model: 'claude-upstream' }] },
      'echo-key': { targets: [{ provider: 'openai', model: 'upstream-echo-key' }], retry: { attempts: 1 } },
    },
  });
  userKey = await createKey(gateway.url, gateway.masterKey, { name: 'user' });
  adminKey = await createKey(gateway.url, gateway.masterKey, { name: 'admin', role: 'admin' });

  const master = gateway.masterKey;
  const anthropicHeaders = (key: string) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' });
  await send('master-bearer', '/v1/chat/completions', bearer(master), openaiChat('gpt-secret'));
  await send(
    'master-stream',
    '/v1/chat/completions',
    bearer(master),
    openaiChat('gpt-secret', { stream: true }),
  );
  await send('master-x-api-key', '/v1/messages', anthropicHeaders(master), openaiChat('claude-secret'));
  await send('virtual-bearer', '/v1/chat/completions', bearer(userKey.secret), openaiChat('claude-secret'));
  await send('virtual-x-api-key', '/v1/messages', anthropicHeaders(userKey.secret), openaiChat('gpt-secret'));
  await send('admin-key', '/v1/chat/completions', bearer(adminKey.secret), openaiChat('gpt-secret'));
  // Provider-looking keys next to a valid key: ignored, never forwarded, never recorded.
  await send(
    'client-provider-keys',
    '/v1/chat/completions',
    {
      ...bearer(master),
      'x-api-key': clientProviderKey,
      'api-key': clientOpenaiKey,
      'openai-api-key': clientOpenaiKey,
      'x-goog-api-key': clientOpenaiKey,
      'proxy-authorization': `Bearer ${clientOpenaiKey}`,
    },
    openaiChat('gpt-secret'),
  );
  // Refused keys: wrong Bearer, wrong x-api-key, Basic credentials, a provider key as the caller's.
  await send('wrong-bearer', '/v1/chat/completions', bearer(wrongKey), openaiChat('gpt-secret'));
  await send(
    'wrong-x-api-key',
    '/v1/messages',
    anthropicHeaders(clientProviderKey),
    openaiChat('claude-secret'),
  );
  await send(
    'basic',
    '/v1/chat/completions',
    { authorization: `Basic ${Buffer.from(`user:${wrongKey}`).toString('base64')}` },
    openaiChat('gpt-secret'),
  );
  await send('provider-key-as-caller', '/v1/chat/completions', bearer(openaiKey), openaiChat('gpt-secret'));
  // The provider's error message echoes its key; it must not travel into spans or logs.
  await send('upstream-echo', '/v1/chat/completions', bearer(master), openaiChat('echo-key'));
  // A key in the query string and in the body.
  await send('query-key', `/v1/chat/completions?api_key=${master}`, bearer(master), openaiChat('gpt-secret'));
  await send(
    'body-key',
    '/v1/chat/completions',
    bearer(master),
    openaiChat('gpt-secret', { user: wrongKey }),
  );
  // The admin API with the master key and with the admin key.
  const adminList = await rawRequest(`${gateway.url}/admin/keys`, {
    method: 'GET',
    headers: bearer(adminKey.secret),
  });
  expect(adminList.status).toBe(200);

  await waitFor(
    () =>
      gateway.logRecords().filter((line) => line.msg === 'request').length === responses.length
        ? true
        : undefined,
    'a log line for every request',
  );
  metricsTexts = [
    (await scrape(`http://127.0.0.1:${metricsPort}/metrics`)).text,
    (await scrape(`${gateway.url}/metrics`, bearer(master))).text,
    (await scrape(`${gateway.url}/metrics`, bearer(adminKey.secret))).text,
  ];
  // Closing flushes the spans to the receiver.
  await gateway.close();
  logText = gateway.logs();
  spanBodies = receiver.exports.map((exported) => exported.body).join('\n');
});

afterAll(async () => {
  await upstream.close();
  await receiver.close();
});

describe('the traffic', () => {
  it('was answered or refused as intended', () => {
    const statuses = Object.fromEntries(responses.map(({ name, response }) => [name, response.status]));
    expect(statuses).toMatchObject({
      'master-bearer': 200,
      'master-stream': 200,
      'master-x-api-key': 200,
      'virtual-bearer': 200,
      'virtual-x-api-key': 200,
      'admin-key': 200,
      'client-provider-keys': 200,
      'wrong-bearer': 401,
      'wrong-x-api-key': 401,
      basic: 401,
      'provider-key-as-caller': 401,
      'query-key': 200,
      'body-key': 200,
    });
    expect(statuses['upstream-echo']).toBeGreaterThanOrEqual(400);
  });

  it('reached the upstream with the provider credentials only', () => {
    const callerSecrets = [
      gateway.masterKey,
      userKey.secret,
      adminKey.secret,
      clientProviderKey,
      clientOpenaiKey,
      wrongKey,
    ];
    expect(upstream.requests.length).toBeGreaterThan(0);
    for (const request of upstream.requests) {
      const headers = JSON.stringify(request.headers);
      for (const secret of callerSecrets) expect(headers).not.toContain(secret);
    }
    const openaiRequest = upstream.requests.find((request) => request.dialect === 'openai');
    expect(openaiRequest?.headers.authorization).toBe(`Bearer ${openaiKey}`);
  });
});

describe('what the gateway recorded', () => {
  it('holds the traffic: a log line per request, spans, and metrics for each key', () => {
    const lines = gateway.logRecords().filter((line) => line.msg === 'request');
    expect(lines.map((line) => line.request_id).sort()).toEqual(
      responses.map(({ name }) => `secrets-${name}`).sort(),
    );
    const spanRequestIds = new Set(
      receiver
        .spans()
        .map((span) => span.attributes['gatehouse.request_id'])
        .filter((id) => id !== undefined),
    );
    for (const name of [
      'master-bearer',
      'virtual-bearer',
      'admin-key',
      'client-provider-keys',
      'wrong-bearer',
      'upstream-echo',
    ])
      expect(spanRequestIds.has(`secrets-${name}`), name).toBe(true);
    // Exported with the Langfuse credentials and the collector token, as configured — in the
    // export's headers, never in its body.
    expect(receiver.exports[0]?.path).toBe('/api/public/otel/v1/traces');
    expect(receiver.exports[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${langfusePublicKey}:${langfuseSecretKey}`).toString('base64')}`,
    );
    expect(receiver.exports[0]?.headers['x-collector-token']).toBe(collectorToken);
    for (const text of metricsTexts) {
      expect(text).toContain(`key="${userKey.id}"`);
      expect(text).toContain(`key="${adminKey.id}"`);
      expect(text).toContain('key="master"');
    }
  });

  it.each(['logs', 'spans', 'metrics'] as const)(
    'never holds a secret or authorization value in its %s',
    (where) => {
      const text = where === 'logs' ? logText : where === 'spans' ? spanBodies : metricsTexts.join('\n');
      expect(text.length).toBeGreaterThan(0);
      for (const secret of secrets())
        expect(text.includes(secret.value), `${secret.name} in the ${where}`).toBe(false);
      // No header that carries credentials is recorded under its own name either.
      expect(text).not.toMatch(/"(authorization|x-api-key|api-key|proxy-authorization)"\s*:/i);
    },
  );

  it('keeps prompts out of spans, logs and metrics (prompt capture is off)', () => {
    expect(spanBodies).not.toContain(promptText);
    expect(spanBodies).not.toContain('gen_ai.input.messages');
    expect(spanBodies).not.toContain('langfuse.observation.input');
    expect(logText).not.toContain(promptText);
    for (const text of metricsTexts) expect(text).not.toContain(promptText);
  });

  it("keeps the upstream's error message, which echoed its key, out of spans", () => {
    const span = receiver
      .spans()
      .find((candidate) => candidate.attributes['gatehouse.request_id'] === 'secrets-upstream-echo');
    expect(span?.attributes['error.type']).toBeDefined();
    expect(spanBodies).not.toContain('Incorrect API key');
  });
});
