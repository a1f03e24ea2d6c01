import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { loadConfig, type LoadResult } from './load.js';

const cwd = '/srv/app';

function load(yaml: string, env: Record<string, string> = {}): LoadResult {
  const readFile = (path: string): string => {
    if (path === `${cwd}/gatehouse.yaml`) return yaml;
    throw Object.assign(new Error('not found'), { code: 'ENOENT' });
  };
  return loadConfig({ flags: {}, env, cwd, readFile });
}

function errorsOf(result: LoadResult): string[] {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return formatProblems(result.errors).split('\n');
}

function expectValid(result: LoadResult): void {
  if (!result.ok) throw new Error(formatProblems(result.errors));
}

describe('providers have what their type needs', () => {
  it('rejects azure without base_url, api_key or api_version', () => {
    expect(errorsOf(load('providers:\n  eu: { type: azure, api_key: k }\n'))).toEqual([
      'gatehouse.yaml:2:7 providers.eu.base_url: missing; a provider of type azure needs base_url, api_key, api_version',
      'gatehouse.yaml:2:7 providers.eu.api_version: missing; a provider of type azure needs base_url, api_key, api_version',
    ]);
  });

  it('rejects openai-compatible without base_url', () => {
    expect(errorsOf(load('providers:\n  local:\n    type: openai-compatible\n'))).toEqual([
      'gatehouse.yaml:3:5 providers.local.base_url: missing; a provider of type openai-compatible needs base_url',
    ]);
  });

  it('rejects openai and anthropic without api_key', () => {
    expect(errorsOf(load('providers:\n  a: { type: openai }\n  b: { type: anthropic }\n'))).toEqual([
      'gatehouse.yaml:2:6 providers.a.api_key: missing; a provider of type openai needs api_key',
      'gatehouse.yaml:3:6 providers.b.api_key: missing; a provider of type anthropic needs api_key',
    ]);
  });

  it('accepts complete providers and the mock type with nothing else', () => {
    const yaml = [
      'providers:',
      '  eu: { type: azure, api_key: k, base_url: "https://eu.openai.azure.com", api_version: "2024-10-21" }',
      '  local: { type: openai-compatible, base_url: "http://127.0.0.1:11434/v1" }',
      '  fake: { type: mock }',
    ].join('\n');
    expectValid(load(yaml));
  });

  it('rejects a base_url that is not http or https', () => {
    expect(errorsOf(load('providers:\n  local: { type: openai-compatible, base_url: "ftp://x" }\n'))).toEqual(
      ['gatehouse.yaml:2:47 providers.local.base_url: expected an http:// or https:// URL, got "ftp://x"'],
    );
  });
});

describe('model targets and fallbacks', () => {
  it('requires every target provider to exist', () => {
    const yaml =
      'providers:\n  local: { type: openai-compatible, base_url: "http://vllm/v1" }\nmodels:\n  m:\n    targets:\n      - { provider: nowhere, model: x }\n';
    expect(errorsOf(load(yaml))).toEqual([
      'gatehouse.yaml:6:21 models.m.targets[0].provider: unknown provider "nowhere"; known providers: local, mock',
    ]);
  });

  it('accepts providers from the environment and the built-in mock', () => {
    const yaml =
      'models:\n  m:\n    targets: [{ provider: openai, model: gpt-4o }, { provider: mock, model: m }]\n';
    expectValid(load(yaml, { OPENAI_API_KEY: 'sk-test' }));
  });

  it('rejects the mock provider when it is disabled', () => {
    const yaml = 'mock: { enabled: false }\nmodels:\n  m:\n    targets: [{ provider: mock, model: m }]\n';
    expect(errorsOf(load(yaml))).toEqual([
      'gatehouse.yaml:4:27 models.m.targets[0].provider: the built-in mock provider is disabled (mock.enabled: false)',
    ]);
  });

  it('requires fallbacks to name configured models', () => {
    const yaml = 'models:\n  a:\n    targets: [{ provider: mock, model: a }]\n    fallbacks: [b]\n';
    expect(errorsOf(load(yaml))).toEqual([
      'gatehouse.yaml:4:17 models.a.fallbacks[0]: "b" is not a configured model; fallbacks name entries of models: (a)',
    ]);
  });

  it('rejects fallback cycles, including a model falling back to itself', () => {
    const yaml = [
      'models:',
      '  a: { targets: [{ provider: mock, model: a }], fallbacks: [b] }',
      '  b: { targets: [{ provider: mock, model: b }], fallbacks: [c] }',
      '  c: { targets: [{ provider: mock, model: c }], fallbacks: [a] }',
      '  d: { targets: [{ provider: mock, model: d }], fallbacks: [d] }',
      '  e: { targets: [{ provider: mock, model: e }], fallbacks: [a] }',
    ].join('\n');
    expect(errorsOf(load(yaml))).toEqual([
      'gatehouse.yaml:4:61 models.c.fallbacks[0]: fallback cycle: a → b → c → a',
      'gatehouse.yaml:5:61 models.d.fallbacks[0]: fallback cycle: d → d',
    ]);
  });

  it('accepts a fallback chain without cycles', () => {
    const yaml = [
      'models:',
      '  a: { targets: [{ provider: mock, model: a }], fallbacks: [b, c] }',
      '  b: { targets: [{ provider: mock, model: b }], fallbacks: [c] }',
      '  c: { targets: [{ provider: mock, model: c }] }',
    ].join('\n');
    expectValid(load(yaml));
  });
});

describe('ports', () => {
  it('rejects a metrics port equal to the server port', () => {
    expect(errorsOf(load('server: { port: 9000, metrics_port: 9000 }\n'))).toEqual([
      'gatehouse.yaml:1:37 server.metrics_port: must differ from server.port (9000); 0 turns it off',
    ]);
  });

  it('allows port 0 for both (any free port, metrics off)', () => {
    expectValid(load('server: { port: 0, metrics_port: 0 }\n'));
  });
});
