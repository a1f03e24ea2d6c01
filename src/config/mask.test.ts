import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { loadConfig } from './load.js';
import { maskedConfig, maskSecret, maskUrlCredentials } from './mask.js';
import { configSchema } from './schema.js';

describe('maskSecret', () => {
  it('shows the first 3 and last 4 characters of a long secret', () => {
    expect(maskSecret('sk-proj-1234567890abcdefghij')).toBe('sk-...ghij');
  });

  it('masks short values entirely', () => {
    expect(maskSecret('')).toBe('****');
    expect(maskSecret('sk-short')).toBe('****');
    expect(maskSecret('nineteen-characters')).toBe('****');
  });
});

describe('maskUrlCredentials', () => {
  it('masks the password and secret parameters of a URL', () => {
    expect(maskUrlCredentials('postgres://app:hunter2@db:5432/gatehouse')).toBe(
      'postgres://app:****@db:5432/gatehouse',
    );
    expect(maskUrlCredentials('redis://:hunter2@redis:6379/0')).toBe('redis://:****@redis:6379/0');
    expect(maskUrlCredentials('postgres://db/app?sslmode=require&password=hunter2')).toBe(
      'postgres://db/app?sslmode=require&password=****',
    );
  });

  it('leaves a URL without credentials as written', () => {
    expect(maskUrlCredentials('redis://redis:6379')).toBe('redis://redis:6379');
  });

  it('masks credentials in text that is not a URL', () => {
    expect(maskUrlCredentials('host=db user=app password=hunter2')).toBe('host=db user=app password=****');
  });
});

describe('maskedConfig', () => {
  const config = configSchema.parse({
    master_key: 'gh-master-key-0123456789',
    database_url: 'postgres://app:hunter2@db/gatehouse',
    redis_url: 'rediss://default:hunter2@redis:6380',
    providers: {
      openai: {
        type: 'openai',
        api_key: 'sk-proj-1234567890abcdefghij',
        headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz', 'OpenAI-Organization': 'org-visible' },
      },
      azure: { type: 'azure', api_key: 'short', base_url: 'https://eu.openai.azure.com', api_version: 'v' },
      proxy: {
        type: 'openai-compatible',
        base_url: 'https://user:hunter2@proxy.example/v1',
        headers: { 'x-api-key': 'k' },
      },
    },
  });

  it('masks every secret and keeps everything else', () => {
    const shown = maskedConfig(config);
    expect(shown.master_key).toBe('gh-...6789');
    expect(shown.database_url).toBe('postgres://app:****@db/gatehouse');
    expect(shown.redis_url).toBe('rediss://default:****@redis:6380');
    expect(shown.providers.openai?.api_key).toBe('sk-...ghij');
    expect(shown.providers.openai?.headers).toEqual({
      Authorization: 'Bea...wxyz',
      'OpenAI-Organization': 'org-visible',
    });
    expect(shown.providers.azure?.api_key).toBe('****');
    expect(shown.providers.azure?.base_url).toBe('https://eu.openai.azure.com');
    expect(shown.providers.proxy?.base_url).toBe('https://user:****@proxy.example/v1');
    expect(shown.providers.proxy?.headers).toEqual({ 'x-api-key': '****' });
    expect(shown.server).toEqual(config.server);
  });

  it('never contains a secret value', () => {
    const text = JSON.stringify(maskedConfig(config));
    for (const secret of ['hunter2', '1234567890abcdef', 'abcdefghijklmnop', 'master-key-0123', '"short"']) {
      expect(text).not.toContain(secret);
    }
  });

  it('leaves the original untouched', () => {
    maskedConfig(config);
    expect(config.providers.openai?.api_key).toBe('sk-proj-1234567890abcdefghij');
  });
});

describe('problems never show secrets', () => {
  const load = (yaml: string, env: Record<string, string> = {}) =>
    loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });

  it('masks a bad api_key, a bad header and a bad database URL', () => {
    const yaml = [
      'database_url: 42',
      'providers:',
      '  a: { type: openai, api_key: 12345678901234567890123 }',
      '  b: { type: openai, api_key: "sk-abcdefghij.klmnopqrstuvwxyz", base_url: "sk-abcdefghij.klmnopqrstuvwxyz://x:hunter2@h" }',
      '  c: { type: openai, api_key: "${OPENAI_SECRET}", headers: { Authorization: 5 } }',
    ].join('\n');
    const result = load(yaml, { OPENAI_SECRET: 'abc' });
    const text = result.ok ? '' : formatProblems(result.errors);
    expect(text).toContain('providers.a.api_key: expected a string, got a number');
    expect(text).toContain('providers.c.headers.Authorization: expected a string, got a number');
    for (const secret of ['12345678901234567890123', 'hunter2', 'abcdefghij.klmnop'])
      expect(text).not.toContain(secret);
  });

  it('masks secret values that fail validation', () => {
    const result = load('master_key: "sk-abcdefghij"\n');
    const text = result.ok ? '' : formatProblems(result.errors);
    expect(text).toBe('gatehouse.yaml:1:13 master_key: expected at least 16 characters, got 13');
  });

  it('masks a secret that comes out as the wrong type', () => {
    const result = load('server:\n  port: ${GATEHOUSE_TOKEN}\n', {
      GATEHOUSE_TOKEN: 'tok-abcdefghijklmnopqrstuvwxyz',
    });
    const text = result.ok ? '' : formatProblems(result.errors);
    expect(text).toBe(
      'gatehouse.yaml:2:9 server.port: expected a number, got "tok...wxyz" (from ${GATEHOUSE_TOKEN})',
    );
  });
});

describe('maskedConfig of the audit archive', () => {
  it('masks the S3 secret key and session token, not the key id or the bucket', () => {
    const secretAccessKey = ['archive', 'secret', 'access', 'value', '0123456789'].join('-');
    const sessionToken = ['archive', 'session', 'token', '0123456789abcdef'].join('-');
    const config = configSchema.parse({
      audit: {
        archive: {
          s3: {
            url: 's3://audit-bucket/gatehouse',
            access_key_id: 'archive-key-id',
            secret_access_key: secretAccessKey,
            session_token: sessionToken,
          },
        },
      },
    });
    const shown = maskedConfig(config).audit.archive.s3;
    expect(shown).toMatchObject({ url: 's3://audit-bucket/gatehouse', access_key_id: 'archive-key-id' });
    const text = JSON.stringify(maskedConfig(config));
    expect(text).not.toContain(secretAccessKey.slice(4, -4));
    expect(text).not.toContain(sessionToken.slice(4, -4));
  });
});
