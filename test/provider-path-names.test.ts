import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, testMasterKey } from './support/cli.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';

/**
 * Azure puts the deployment (the target model) in the URL path. A name that is a dot segment
 * (`.`, `..`) would move the request, with its `api-key`, to another path of the provider
 * (`/openai/deployments/../chat/completions` is `/openai/chat/completions`); a name with a slash
 * or a query would do the same. Such a target is refused when the configuration is loaded, a
 * caller-chosen one (`azure/..`) when it is asked for, and every other name is one path segment.
 */

const azureKey = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';

describe('a configured target model that is a dot segment', () => {
  it.each(['.', '..'])('"%s" is refused at start with exit code 2 naming the field', async (name) => {
    const directory = mkdtempSync(join(tmpdir(), 'gatehouse-path-'));
    const file = join(directory, 'gatehouse.yaml');
    writeFileSync(
      file,
      [
        'providers:',
        '  azure:',
        '    type: azure',
        '    base_url: http://127.0.0.1:9',
        `    api_key: ${azureKey}`,
        '    api_version: 2024-06-01',
        'models:',
        '  chat:',
        '    targets:',
        '      - provider: azure',
        `        model: "${name}"`,
        '',
      ].join('\n'),
    );
    for (const args of [['start', '--port', '0'], ['check']]) {
      const run = await runCli([...args, '--config', file], {
        cwd: directory,
        env: { GATEHOUSE_MASTER_KEY: testMasterKey },
      });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/models\.chat\.targets\[0\]\.model: must not be "\." or "\.\."/);
    }
  });
});

describe('an Azure deployment name from a caller', () => {
  let upstream: ScriptedUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    gateway = await startTestGateway({
      providers: {
        azure: { type: 'azure', base_url: upstream.url, api_key: azureKey, api_version: '2024-06-01' },
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  const ask = (model: string) =>
    rawRequest(`${gateway.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] }),
    });

  it.each(['..', '.'])('"azure/%s" is refused with a 400 and never sent', async (name) => {
    const before = upstream.count();
    const response = await ask(`azure/${name}`);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ error: { param: 'model' } });
    expect(upstream.count()).toBe(before);
  });

  it.each(['../../admin', 'a/../../b', 'x?api-version=1', 'x#y', '%2e%2e', 'dep name'])(
    '"azure/%s" stays one segment below /openai/deployments/',
    async (name) => {
      const before = upstream.count();
      const response = await ask(`azure/${name}`);
      expect(response.status).toBe(200);
      expect(upstream.count()).toBe(before + 1);
      const recorded = upstream.requests.at(-1);
      const segments = recorded?.path.split('/') ?? [];
      expect(segments.slice(0, 3)).toEqual(['', 'openai', 'deployments']);
      expect(segments).toHaveLength(6);
      expect(decodeURIComponent(segments[3] ?? '')).toBe(name);
      expect(segments.slice(4)).toEqual(['chat', 'completions']);
    },
  );
});
