import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { loadConfig, type LoadResult } from './load.js';
import { resolveReferences, type ReferenceContext } from './references.js';

function context(
  env: Record<string, string | undefined>,
  files: Record<string, string> = {},
): ReferenceContext {
  return {
    env,
    baseDirectory: '/etc/gatehouse',
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      return text;
    },
  };
}

describe('resolveReferences', () => {
  it('leaves strings without references unchanged', () => {
    expect(resolveReferences('plain $text {x}', context({}))).toEqual({
      ok: true,
      value: 'plain $text {x}',
      references: [],
      whole: false,
    });
  });

  it('replaces ${VAR} with the variable', () => {
    expect(resolveReferences('${KEY}', context({ KEY: 'sk-1' }))).toEqual({
      ok: true,
      value: 'sk-1',
      references: ['${KEY}'],
      whole: true,
    });
  });

  it('replaces references inside a longer string', () => {
    const result = resolveReferences(
      'postgres://app:${DB_PASSWORD}@${DB_HOST:-localhost}/app',
      context({ DB_PASSWORD: 'pw' }),
    );
    expect(result).toEqual({
      ok: true,
      value: 'postgres://app:pw@localhost/app',
      references: ['${DB_PASSWORD}', '${DB_HOST:-localhost}'],
      whole: false,
    });
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', () => {
    expect(resolveReferences('${PORT:-8080}', context({}))).toMatchObject({ value: '8080' });
    expect(resolveReferences('${PORT:-8080}', context({ PORT: '' }))).toMatchObject({ value: '8080' });
    expect(resolveReferences('${PORT:-8080}', context({ PORT: '9000' }))).toMatchObject({ value: '9000' });
    expect(resolveReferences('${SUFFIX:-}', context({}))).toMatchObject({ value: '' });
  });

  it('keeps an empty variable empty without a default', () => {
    expect(resolveReferences('${EMPTY}', context({ EMPTY: '' }))).toMatchObject({ ok: true, value: '' });
  });

  it('reads ${file:/path}, trimmed, relative paths from the configuration directory', () => {
    const files = { '/run/secrets/openai': 'sk-from-file\n', '/etc/gatehouse/key.txt': '  k  ' };
    expect(resolveReferences('${file:/run/secrets/openai}', context({}, files))).toMatchObject({
      value: 'sk-from-file',
    });
    expect(resolveReferences('${file:key.txt}', context({}, files))).toMatchObject({ value: 'k' });
  });

  it('writes a literal ${ for $${', () => {
    expect(resolveReferences('$${NOT_A_REFERENCE}', context({}))).toMatchObject({
      value: '${NOT_A_REFERENCE}',
      references: [],
    });
  });

  it('reports unset variables, unreadable files and malformed references', () => {
    const messages = (text: string): readonly string[] => {
      const result = resolveReferences(text, context({}));
      return result.ok ? [] : result.messages;
    };
    expect(messages('${MISSING}')).toEqual([
      'environment variable MISSING is not set (referenced as ${MISSING}); set it, or give a default with ${MISSING:-value}',
    ]);
    expect(messages('${file:/run/secrets/none}')).toEqual([
      'cannot read /run/secrets/none for ${file:/run/secrets/none} (ENOENT)',
    ]);
    expect(messages('${1BAD}')[0]).toMatch(/^unsupported reference \$\{1BAD\}/);
    expect(messages('${VAR:default}')[0]).toMatch(/^unsupported reference/);
    expect(messages('abc ${OPEN')[0]).toMatch(/^unclosed reference \$\{OPEN/);
  });
});

describe('references in the configuration file', () => {
  const cwd = '/srv/app';
  function load(
    yaml: string,
    env: Record<string, string> = {},
    files: Record<string, string> = {},
  ): LoadResult {
    const all: Record<string, string> = { ...files, [`${cwd}/gatehouse.yaml`]: yaml };
    const readFile = (path: string): string => {
      const text = all[path];
      if (text === undefined) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      return text;
    };
    return loadConfig({ flags: {}, env, cwd, readFile });
  }
  const errors = (result: LoadResult): string => (result.ok ? '' : formatProblems(result.errors));

  it('resolves references anywhere, converting whole references to the expected type', () => {
    const yaml = [
      'server:',
      '  port: ${GATEWAY_PORT}',
      '  host: "${GATEWAY_HOST:-0.0.0.0}"',
      'mock: { enabled: "${MOCK:-false}" }',
      'providers:',
      '  openai: { type: openai, api_key: "${file:/run/secrets/openai}", headers: { X-Team: "team-${TEAM}" } }',
    ].join('\n');
    const result = load(
      yaml,
      { GATEWAY_PORT: '9000', TEAM: 'search' },
      { '/run/secrets/openai': 'sk-abc\n' },
    );
    if (!result.ok) throw new Error(formatProblems(result.errors));
    expect(result.config.server).toMatchObject({ port: 9000, host: '0.0.0.0' });
    expect(result.config.mock.enabled).toBe(false);
    expect(result.config.providers.openai).toMatchObject({
      api_key: 'sk-abc',
      headers: { 'X-Team': 'team-search' },
    });
    expect(result.sources.values['server.port']).toMatchObject({
      kind: 'file',
      line: 2,
      references: ['${GATEWAY_PORT}'],
    });
  });

  it('names the variable and the field of an unset reference', () => {
    const yaml = 'providers:\n  openai:\n    type: openai\n    api_key: ${OPENAI_API_KEY}\n';
    expect(errors(load(yaml))).toBe(
      'gatehouse.yaml:4:14 providers.openai.api_key: environment variable OPENAI_API_KEY is not set (referenced as ${OPENAI_API_KEY}); set it, or give a default with ${OPENAI_API_KEY:-value}',
    );
  });

  it('keeps the reference as the origin of a bad value', () => {
    expect(errors(load('server:\n  port: ${PORT_NUMBER}\n', { PORT_NUMBER: 'abc' }))).toBe(
      'gatehouse.yaml:2:9 server.port: expected a number, got "abc" (from ${PORT_NUMBER})',
    );
    expect(errors(load('server:\n  port: ${PORT_NUMBER}\n', { PORT_NUMBER: '99999' }))).toBe(
      'gatehouse.yaml:2:9 server.port: expected a number <= 65535, got 99999 (from ${PORT_NUMBER})',
    );
  });

  it('reports a missing secret file', () => {
    expect(errors(load('master_key: ${file:/run/secrets/master}\n'))).toBe(
      'gatehouse.yaml:1:13 master_key: cannot read /run/secrets/master for ${file:/run/secrets/master} (ENOENT)',
    );
  });

  it('masks a bad value read from a secret file', () => {
    const result = load(
      'server:\n  host: ${file:/run/secrets/host}\n  port: ${file:/run/secrets/host}\n',
      {},
      {
        '/run/secrets/host': 'this-is-a-secret-value-1234',
      },
    );
    expect(errors(result)).toBe(
      'gatehouse.yaml:3:9 server.port: expected a number, got "thi...1234" (from ${file:/run/secrets/host})',
    );
  });
});
