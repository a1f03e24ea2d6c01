import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { parseDottedPath } from './config-path.js';
import { environmentVariables } from './environment-variables.js';
import { loadConfig, type LoadResult } from './load.js';
import { parseResourceAttributes } from './resource-attributes.js';
import { valueKindAt } from './schema-introspection.js';

const cwd = '/srv/app';

function load(env: Record<string, string | undefined>, yaml?: string): LoadResult {
  const readFile = (path: string): string => {
    if (yaml !== undefined && path === `${cwd}/gatehouse.yaml`) return yaml;
    throw Object.assign(new Error('not found'), { code: 'ENOENT' });
  };
  return loadConfig({ flags: {}, env, cwd, readFile });
}

function configOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config;
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return formatProblems(result.errors);
}

describe('environment variables', () => {
  it('each map to a field that exists in the schema', () => {
    for (const [variable, path] of Object.entries(environmentVariables)) {
      expect(valueKindAt(parseDottedPath(path)), `${variable} → ${path}`).toBeDefined();
    }
  });

  it('set their fields, converted to the field type', () => {
    const config = configOf(
      load({
        HOST: '0.0.0.0',
        PORT: '8081',
        METRICS_PORT: '0',
        TLS_CERT_PATH: '/tls/cert.pem',
        TLS_KEY_PATH: '/tls/key.pem',
        GATEHOUSE_MASTER_KEY: 'a-master-key-of-enough-length',
        DATABASE_URL: 'postgres://gatehouse:pw@db/gatehouse',
        GATEHOUSE_DATA_DIR: '/var/lib/gatehouse',
        REDIS_URL: 'redis://redis:6379',
        LOG_LEVEL: 'DEBUG',
        LOG_FORMAT: 'pretty',
      }),
    );
    expect(config.server).toMatchObject({
      host: '0.0.0.0',
      port: 8081,
      metrics_port: 0,
      tls: { cert_path: '/tls/cert.pem', key_path: '/tls/key.pem' },
    });
    expect(config.master_key).toBe('a-master-key-of-enough-length');
    expect(config.database_url).toBe('postgres://gatehouse:pw@db/gatehouse');
    expect(config.data_dir).toBe('/var/lib/gatehouse');
    expect(config.redis_url).toBe('redis://redis:6379');
    expect(config.log).toEqual({ level: 'debug', format: 'pretty' });
  });

  it('count as unset when empty', () => {
    expect(configOf(load({ PORT: '', LOG_LEVEL: '' })).server.port).toBe(8080);
  });

  it('name the variable when a value cannot be converted or is out of range', () => {
    expect(errorsOf(load({ PORT: 'abc' }))).toBe(
      'server.port: expected a number, got "abc" (from environment variable PORT)',
    );
    expect(errorsOf(load({ METRICS_PORT: '65536' }))).toBe(
      'server.metrics_port: expected a number <= 65535, got 65536 (from environment variable METRICS_PORT)',
    );
    expect(errorsOf(load({ LOG_FORMAT: 'xml' }))).toBe(
      'log.format: expected one of "json", "pretty", got "xml" (from environment variable LOG_FORMAT)',
    );
  });

  it('carry the OpenTelemetry batch, timeout and resource variables into tracing', () => {
    const tracing = configOf(
      load({
        OTEL_BSP_SCHEDULE_DELAY: '250',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '128',
        OTEL_BSP_MAX_QUEUE_SIZE: '4096',
        OTEL_BSP_EXPORT_TIMEOUT: '15000',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team.name=ml%20platform',
      }),
    ).tracing;
    expect(tracing.batch).toEqual({
      schedule_delay_ms: 250,
      max_export_batch_size: 128,
      max_queue_size: 4096,
      export_timeout_ms: 15_000,
    });
    expect(tracing.otlp_timeout_ms).toBe(2_500);
    expect(tracing.resource_attributes).toBe('deployment.environment=prod, team.name=ml%20platform');
    expect(parseResourceAttributes(tracing.resource_attributes ?? '')).toEqual({
      'deployment.environment': 'prod',
      'team.name': 'ml platform',
    });
    // Unset: the specification's defaults.
    expect(configOf(load({})).tracing).toMatchObject({
      otlp_timeout_ms: 10_000,
      batch: {
        schedule_delay_ms: 5_000,
        max_export_batch_size: 512,
        max_queue_size: 2_048,
        export_timeout_ms: 30_000,
      },
    });
  });

  it('name the OpenTelemetry variable of a bad number or attribute list', () => {
    expect(errorsOf(load({ OTEL_BSP_SCHEDULE_DELAY: 'soon' }))).toBe(
      'tracing.batch.schedule_delay_ms: expected a number, got "soon" (from environment variable OTEL_BSP_SCHEDULE_DELAY)',
    );
    expect(errorsOf(load({ OTEL_BSP_MAX_QUEUE_SIZE: '0' }))).toContain(
      '(from environment variable OTEL_BSP_MAX_QUEUE_SIZE)',
    );
    expect(errorsOf(load({ OTEL_EXPORTER_OTLP_TIMEOUT: '2.5' }))).toContain(
      '(from environment variable OTEL_EXPORTER_OTLP_TIMEOUT)',
    );
    expect(errorsOf(load({ OTEL_RESOURCE_ATTRIBUTES: 'team=%E0%A4%A' }))).toContain(
      'tracing.resource_attributes: expected key=value pairs separated by commas, values percent-encoded',
    );
  });

  it('mask a secret that fails validation', () => {
    expect(errorsOf(load({ GATEHOUSE_MASTER_KEY: 'short-secret' }))).toBe(
      'master_key: expected at least 16 characters, got 12 (from environment variable GATEHOUSE_MASTER_KEY)',
    );
  });

  it('explain that TLS needs both paths', () => {
    expect(errorsOf(load({ TLS_CERT_PATH: '/tls/cert.pem' }))).toBe(
      'server.tls.key_path: missing; TLS needs both cert_path and key_path (TLS_CERT_PATH and TLS_KEY_PATH) (from environment variable TLS_CERT_PATH)',
    );
    expect(errorsOf(load({}, 'server:\n  tls:\n    key_path: /k\n'))).toBe(
      'gatehouse.yaml:3:5 server.tls.cert_path: missing; TLS needs both cert_path and key_path (TLS_CERT_PATH and TLS_KEY_PATH)',
    );
  });

  it('complete a TLS setting begun in the file', () => {
    const config = configOf(load({ TLS_KEY_PATH: '/k' }, 'server:\n  tls:\n    cert_path: /c\n'));
    expect(config.server.tls).toEqual({ cert_path: '/c', key_path: '/k' });
  });
});

describe('providers found from the environment', () => {
  it('are added for each provider key', () => {
    const result = load({
      OPENAI_API_KEY: 'sk-openai',
      OPENAI_BASE_URL: 'https://proxy.example/v1',
      ANTHROPIC_API_KEY: 'sk-ant',
      AZURE_API_KEY: 'azure-key',
      AZURE_API_BASE: 'https://example.openai.azure.com',
      OLLAMA_BASE_URL: 'http://localhost:11434',
    });
    const config = configOf(result);
    expect(config.providers.openai).toMatchObject({
      type: 'openai',
      api_key: 'sk-openai',
      base_url: 'https://proxy.example/v1',
    });
    expect(config.providers.anthropic).toMatchObject({ type: 'anthropic', api_key: 'sk-ant' });
    expect(config.providers.anthropic?.base_url).toBeUndefined();
    expect(config.providers.azure).toMatchObject({
      type: 'azure',
      api_key: 'azure-key',
      base_url: 'https://example.openai.azure.com',
      api_version: '2024-10-21',
    });
    expect(config.providers.ollama).toMatchObject({
      type: 'openai-compatible',
      base_url: 'http://localhost:11434/v1',
    });
    expect(result.ok && result.sources.environmentProviders).toEqual([
      'openai',
      'anthropic',
      'azure',
      'ollama',
    ]);
  });

  it('take AZURE_API_VERSION and keep an Ollama URL that has a path', () => {
    const config = configOf(
      load({
        AZURE_API_KEY: 'k',
        AZURE_API_BASE: 'https://example.openai.azure.com',
        AZURE_API_VERSION: '2025-01-01-preview',
        OLLAMA_BASE_URL: 'http://gpu-box:11434/custom/v1',
      }),
    );
    expect(config.providers.azure?.api_version).toBe('2025-01-01-preview');
    expect(config.providers.ollama?.base_url).toBe('http://gpu-box:11434/custom/v1');
  });

  it('give way to a provider of the same name in the file', () => {
    const yaml = 'providers:\n  openai: { type: openai-compatible, base_url: "http://vllm:8000/v1" }\n';
    const result = load({ OPENAI_API_KEY: 'sk-openai' }, yaml);
    expect(configOf(result).providers.openai).toEqual({
      type: 'openai-compatible',
      base_url: 'http://vllm:8000/v1',
      headers: {},
      max_connections: 256,
    });
    expect(result.ok && result.sources.environmentProviders).toEqual([]);
  });

  it('sit beside the providers of the file', () => {
    const yaml = 'providers:\n  local: { type: openai-compatible, base_url: "http://vllm:8000/v1" }\n';
    expect(Object.keys(configOf(load({ ANTHROPIC_API_KEY: 'sk-ant' }, yaml)).providers)).toEqual([
      'local',
      'anthropic',
    ]);
  });

  it('are not added from half a configuration, with a warning', () => {
    const result = load({
      AZURE_API_BASE: 'https://example.openai.azure.com',
      OPENAI_BASE_URL: 'https://proxy/v1',
    });
    if (!result.ok) throw new Error('expected a valid configuration');
    expect(result.config.providers).toEqual({});
    expect(formatProblems(result.warnings)).toBe(
      [
        'providers.openai: OPENAI_BASE_URL set without OPENAI_API_KEY; provider openai is not added from the environment (from environment variable OPENAI_BASE_URL)',
        'providers.azure: AZURE_API_BASE set without AZURE_API_KEY; provider azure is not added from the environment (from environment variable AZURE_API_BASE)',
      ].join('\n'),
    );
  });

  it('name the variable of a bad value', () => {
    expect(errorsOf(load({ OLLAMA_BASE_URL: 'localhost:11434' }))).toBe(
      'providers.ollama.base_url: expected an http:// or https:// URL, got "localhost:11434" (from environment variable OLLAMA_BASE_URL)',
    );
  });
});
