import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { parseScrape } from './support/telemetry.js';

/**
 * A model name is the one free-form string a caller sends that the gateway keeps: in metric labels,
 * per-target routing state, logs, usage records and the `x-gatehouse-model` header. Names longer
 * than 256 characters or outside printable ASCII are refused with a 400 naming `model` before
 * any of that happens, and a flood of distinct names adds no metric series beyond the bounded set.
 */

let gateway: TestGateway;

const routes = {
  openai: '/v1/chat/completions',
  anthropic: '/v1/messages',
  embeddings: '/v1/embeddings',
} as const;
type Route = keyof typeof routes;

function bodyFor(route: Route, model: string): Record<string, unknown> {
  const messages = [{ role: 'user', content: 'Hello' }];
  if (route === 'embeddings') return { model, input: 'Hello' };
  return route === 'anthropic' ? { model, max_tokens: 16, messages } : { model, messages };
}

/** Sends one request; a response the client cannot read (a header too large) counts as status 0. */
async function send(route: Route, model: string): Promise<RawResponse> {
  const headers =
    route === 'anthropic'
      ? { 'x-api-key': gateway.masterKey, 'anthropic-version': '2023-06-01' }
      : { authorization: `Bearer ${gateway.masterKey}` };
  try {
    return await rawRequest(`${gateway.url}${routes[route]}`, {
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(bodyFor(route, model)),
    });
  } catch {
    return { status: 0, headers: {}, text: '' };
  }
}

async function metricsText(): Promise<string> {
  const response = await rawRequest(`${gateway.url}/metrics`, {
    method: 'GET',
    headers: { authorization: `Bearer ${gateway.masterKey}` },
  });
  expect(response.status).toBe(200);
  return response.text;
}

/** Every distinct value of every label in a scrape. */
function labelValues(text: string): Set<string> {
  const values = new Set<string>();
  for (const series of parseScrape(text).series)
    for (const value of Object.values(series.labels)) values.add(value);
  return values;
}

function expectRefusedModel(response: RawResponse, route: Route): void {
  expect(response.status, response.text).toBe(400);
  const body = JSON.parse(response.text) as {
    type?: string;
    error: { type: string; param?: string; message: string };
  };
  if (route === 'anthropic') {
    // Anthropic's envelope has no `param`; the message names the field.
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
  } else {
    expect(body.error.param).toBe('model');
  }
  expect(body.error.message).toMatch(/model/);
  expect(response.headers['x-gatehouse-model']).toBeUndefined();
}

describe('model names', () => {
  beforeAll(async () => {
    gateway = await startTestGateway({
      models: { steady: { targets: [{ provider: 'mock', model: 'mock-steady' }] } },
    });
  });

  afterAll(async () => {
    await gateway.close();
  });

  it.each(['openai', 'anthropic', 'embeddings'] as const)(
    'accepts a name of 256 characters and refuses one of 257 with a 400 naming model (%s)',
    async (route) => {
      const longest = `mock-${'a'.repeat(251)}`;
      expect(longest).toHaveLength(256);
      expect((await send(route, longest)).status).toBe(200);
      expectRefusedModel(await send(route, `${longest}b`), route);
    },
  );

  it.each(['openai', 'anthropic', 'embeddings'] as const)(
    'refuses a name outside printable ASCII with a 400 naming model (%s)',
    async (route) => {
      for (const name of [
        'mock-\u6a21\u578b',
        'mock-caf\u00e9',
        'mock-\u0007bell',
        'mock-tab\there',
        'mock-line\n',
      ]) {
        expectRefusedModel(await send(route, name), route);
      }
    },
  );

  it('adds no metric series and no label values for a flood of long or unknown names', async () => {
    // Traffic on a configured model first, so every family the flood could touch already exists.
    expect((await send('openai', 'steady')).status).toBe(200);
    const before = await metricsText();
    const beforeSeries = parseScrape(before).series.length;

    // Long names that match the built-in mock's pattern (each would be served and labelled), and
    // valid names that match nothing.
    for (let index = 0; index < 20; index += 1) {
      const long = `mock-${index}-${'x'.repeat(300_000)}`;
      expect((await send('openai', long)).status).toBe(400);
      expect((await send('anthropic', long)).status).toBe(400);
      expect((await send('openai', `no-such-model-${index}`)).status).toBe(404);
    }

    const after = await metricsText();
    const modelValues = (text: string) =>
      new Set(parseScrape(text).series.flatMap((series) => series.labels.model ?? []));
    expect(modelValues(after)).toEqual(modelValues(before));
    const flooded = [...labelValues(after)].filter((value) => /mock-\d+-x|no-such-model/.test(value));
    expect(flooded).toEqual([]);
    for (const value of labelValues(after)) expect(value.length).toBeLessThanOrEqual(256);
    // A handful of new series at most (the 400 and 404 answers' HTTP counters), and no bulk.
    expect(parseScrape(after).series.length).toBeLessThan(beforeSeries + 60);
    expect(after.length).toBeLessThan(before.length + 30_000);
  });

  it('never writes a refused name whole to the log', async () => {
    const name = `mock-${'y'.repeat(100_000)}`;
    expect((await send('openai', name)).status).toBe(400);
    expect(gateway.logs()).not.toContain('y'.repeat(1_000));
  });
});
