import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { createGateway, type Gateway } from '../src/gateway/index.js';
import { startMockServer } from '../src/providers/mock/index.js';
import { createLogger } from '../src/telemetry/index.js';

/**
 * With no configuration file at all, providers come from the environment: `OPENAI_BASE_URL` and
 * `OPENAI_API_KEY` (here pointed at a mock server) make `gpt-*` names route to OpenAI.
 */
describe('providers found from the environment', () => {
  let mock: Awaited<ReturnType<typeof startMockServer>>;
  let gateway: Gateway;
  let url: string;
  const masterKey = 'gh-test-environment-master-key-000';

  beforeAll(async () => {
    mock = await startMockServer({ port: 0, host: '127.0.0.1' });
    const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-env-'));
    const loaded = loadConfig({
      flags: { port: 0 },
      // The metrics port is a fixed number by default; tests run side by side.
      cwd,
      env: {
        OPENAI_API_KEY: 'sk-test-environment-openai-key',
        OPENAI_BASE_URL: `${mock.url}/v1`,
        GATEHOUSE_MASTER_KEY: masterKey,
        GATEHOUSE_DATA_DIR: join(cwd, 'data'),
        METRICS_PORT: '0',
      },
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(loaded.sources.environmentProviders).toContain('openai');
    gateway = await createGateway({
      config: loaded.config,
      masterKey,
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    ({ url } = await gateway.listen());
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
  });

  it('routes a gpt-* model to the OpenAI provider taken from OPENAI_BASE_URL / OPENAI_API_KEY', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: masterKey });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    expect(response.headers.get('x-gatehouse-provider')).toBe('openai');
    expect(response.headers.get('x-gatehouse-model')).toBe('gpt-4o-mini');
    expect(data.choices[0]?.message.content).toMatch(/\w+/);
  });

  it('refuses a claude-* model when no Anthropic provider is configured', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: masterKey, maxRetries: 0 });
    await expect(
      client.chat.completions.create({
        model: 'claude-sonnet-4-5',
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
