import { describe, expect, it } from 'vitest';
import { describeSource, formatProblems, type ConfigProblem } from './config-error.js';
import { coerceText } from './coerce.js';

describe('formatProblems', () => {
  it('writes one line per problem, a file location first', () => {
    const problems: ConfigProblem[] = [
      {
        path: 'models.gpt-4o.targets[0].weight',
        source: { kind: 'file', file: 'gatehouse.yaml', line: 12, column: 7, references: [] },
        message: 'expected a number > 0, got -1',
      },
      {
        path: 'server.port',
        source: { kind: 'file', file: 'gatehouse.yaml', line: 3, column: 9, references: ['${PORT}'] },
        message: 'expected a number, got "abc"',
      },
      {
        path: 'server.port',
        source: { kind: 'environment', variable: 'PORT' },
        message: 'expected a number, got "abc"',
      },
      {
        path: 'server.host',
        source: { kind: 'flag', flag: '--host' },
        message: 'expected a non-empty string',
      },
      {
        path: '',
        source: { kind: 'file', file: 'gatehouse.yaml', line: 4, column: 1, references: [] },
        message: 'YAML syntax: bad',
      },
      {
        path: '',
        source: { kind: 'flag', flag: '--config' },
        message: 'configuration file /x.yaml does not exist',
      },
    ];
    expect(formatProblems(problems).split('\n')).toEqual([
      'gatehouse.yaml:12:7 models.gpt-4o.targets[0].weight: expected a number > 0, got -1',
      'gatehouse.yaml:3:9 server.port: expected a number, got "abc" (from ${PORT})',
      'server.port: expected a number, got "abc" (from environment variable PORT)',
      'server.host: expected a non-empty string (from flag --host)',
      'gatehouse.yaml:4:1 YAML syntax: bad',
      'configuration file /x.yaml does not exist (from flag --config)',
    ]);
  });
});

describe('describeSource', () => {
  it('names each kind of source', () => {
    expect(describeSource({ kind: 'default' })).toBe('default');
    expect(describeSource({ kind: 'flag', flag: '--port' })).toBe('flag --port');
    expect(describeSource({ kind: 'environment', variable: 'PORT' })).toBe('environment variable PORT');
    expect(
      describeSource({ kind: 'file', file: 'gatehouse.yaml', line: 3, column: 9, references: ['${PORT}'] }),
    ).toBe('${PORT} in gatehouse.yaml:3:9');
  });
});

describe('coerceText', () => {
  it('converts decimal numbers only', () => {
    expect(coerceText(' 8080 ', { kind: 'number' })).toEqual({ ok: true, value: 8080 });
    expect(coerceText('1.5e3', { kind: 'number' })).toEqual({ ok: true, value: 1500 });
    expect(coerceText('0x1F90', { kind: 'number' })).toEqual({ ok: false, expected: 'a number' });
    expect(coerceText('', { kind: 'number' })).toEqual({ ok: false, expected: 'a number' });
  });

  it('converts the usual boolean words', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'on'])
      expect(coerceText(word, { kind: 'boolean' })).toEqual({ ok: true, value: true });
    for (const word of ['false', '0', 'no', 'Off'])
      expect(coerceText(word, { kind: 'boolean' })).toEqual({ ok: true, value: false });
    expect(coerceText('maybe', { kind: 'boolean' })).toEqual({ ok: false, expected: 'true or false' });
  });

  it('matches enumerations without regard to case and leaves strings alone', () => {
    expect(coerceText('INFO', { kind: 'enum', values: ['info', 'debug'] })).toEqual({
      ok: true,
      value: 'info',
    });
    expect(coerceText(' 42 ', { kind: 'string' })).toEqual({ ok: true, value: ' 42 ' });
  });
});
