import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { loadConfig, type ConfigFlags, type LoadResult } from './load.js';

const cwd = '/srv/app';

function notFound(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
}

function filesystem(files: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = files[path];
    if (text === undefined) throw notFound(path);
    return text;
  };
}

function load(
  yaml: string | undefined,
  env: Record<string, string | undefined> = {},
  flags: ConfigFlags = {},
): LoadResult {
  const files = yaml === undefined ? {} : { [`${cwd}/gatehouse.yaml`]: yaml };
  return loadConfig({ flags, env, cwd, readFile: filesystem(files) });
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return formatProblems(result.errors);
}

function configOf(result: LoadResult) {
  if (!result.ok) throw new Error(`expected a valid configuration:\n${formatProblems(result.errors)}`);
  return result.config;
}

describe('precedence', () => {
  const file = 'server:\n  port: 7000\n  host: file.example\n';

  it('uses built-in defaults when nothing is configured', () => {
    const config = configOf(load(undefined));
    expect(config.server.port).toBe(8080);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.data_dir).toBe('./.gatehouse');
    expect(config.mock.enabled).toBe(true);
  });

  it('lets the file override defaults', () => {
    expect(configOf(load(file)).server.port).toBe(7000);
  });

  it('lets environment variables override the file', () => {
    const config = configOf(load(file, { PORT: '7100', HOST: 'env.example' }));
    expect(config.server.port).toBe(7100);
    expect(config.server.host).toBe('env.example');
  });

  it('lets flags override environment variables', () => {
    const config = configOf(
      load(file, { PORT: '7100', HOST: 'env.example' }, { port: 7200, host: 'flag.example' }),
    );
    expect(config.server.port).toBe(7200);
    expect(config.server.host).toBe('flag.example');
  });

  it('records where each value came from', () => {
    const result = load(file, { PORT: '7100' }, { host: 'flag.example' });
    if (!result.ok) throw new Error('expected a valid configuration');
    expect(result.sources.configFile).toBe(`${cwd}/gatehouse.yaml`);
    expect(result.sources.values['server.port']).toEqual({ kind: 'environment', variable: 'PORT' });
    expect(result.sources.values['server.host']).toEqual({ kind: 'flag', flag: '--host' });
    expect(result.sources.values.server).toMatchObject({ kind: 'file', line: 2, column: 3 });
  });

  it('does not report a file value that a higher layer replaces', () => {
    const config = configOf(load('server:\n  port: ${UNSET_PORT}\n', { PORT: '7100' }));
    expect(config.server.port).toBe(7100);
  });
});

describe('finding the configuration file', () => {
  it('reads --config before GATEHOUSE_CONFIG, relative to the working directory', () => {
    const readFile = filesystem({
      [`${cwd}/flag.yaml`]: 'server: { port: 1 }',
      '/etc/gatehouse/env.yaml': 'server: { port: 2 }',
    });
    const env = { GATEHOUSE_CONFIG: '/etc/gatehouse/env.yaml' };
    const fromFlag = loadConfig({ flags: { config: 'flag.yaml' }, env, cwd, readFile });
    expect(configOf(fromFlag).server.port).toBe(1);
    const fromEnvironment = loadConfig({ flags: {}, env, cwd, readFile });
    expect(configOf(fromEnvironment).server.port).toBe(2);
  });

  it('runs without a file when ./gatehouse.yaml does not exist', () => {
    const result = load(undefined);
    expect(result.ok && result.sources.configFile).toBeUndefined();
  });

  it('reports a missing file named by --config or GATEHOUSE_CONFIG', () => {
    const readFile = filesystem({});
    const fromFlag = loadConfig({ flags: { config: 'missing.yaml' }, env: {}, cwd, readFile });
    expect(errorsOf(fromFlag)).toBe(
      `configuration file ${cwd}/missing.yaml does not exist (from flag --config)`,
    );
    const fromEnvironment = loadConfig({ flags: {}, env: { GATEHOUSE_CONFIG: '/nope.yaml' }, cwd, readFile });
    expect(errorsOf(fromEnvironment)).toContain('(from environment variable GATEHOUSE_CONFIG)');
  });

  it('reports an unreadable ./gatehouse.yaml instead of ignoring it', () => {
    const readFile = (): string => {
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
    };
    expect(errorsOf(loadConfig({ flags: {}, env: {}, cwd, readFile }))).toContain('(EACCES)');
  });

  it('accepts an empty file and sections whose keys are all commented out', () => {
    configOf(load(''));
    configOf(load('# nothing yet\n'));
    const config = configOf(load('server:\n  # port: 1\nproviders:\nmodels:\n'));
    expect(config.server.port).toBe(8080);
    expect(config.providers).toEqual({});
  });
});

describe('problems name the field, the line and what is expected', () => {
  it('reports an unknown key at its own line, suggesting the key meant', () => {
    const errors = errorsOf(load('server:\n  port: 8080\n  prot: 9000\n'));
    expect(errors).toBe('gatehouse.yaml:3:3 server.prot: unknown key "prot"; did you mean "port"?');
  });

  it('reports an unknown top-level key with the known ones', () => {
    expect(errorsOf(load('colour: blue\n'))).toMatch(
      /^gatehouse.yaml:1:1 colour: unknown key "colour" \(known keys: server, /,
    );
  });

  it('reports a wrong type with its path and position', () => {
    const yaml = [
      'models:',
      '  gpt-4o:',
      '    targets:',
      '      - provider: mock',
      '        model: m',
      '        weight: -1',
    ].join('\n');
    expect(errorsOf(load(yaml))).toBe(
      'gatehouse.yaml:6:17 models.gpt-4o.targets[0].weight: expected a number > 0, got -1',
    );
  });

  it('describes types, ranges, options and missing fields', () => {
    const yaml = [
      'server:',
      '  port: "8080"',
      '  metrics_port: 70000',
      '  drain_timeout_ms: 1.5',
      'log: { level: loud }',
      'models:',
      '  empty: { targets: [] }',
      '  no-model: { targets: [{ provider: mock }] }',
    ].join('\n');
    const errors = errorsOf(load(yaml)).split('\n');
    expect(errors).toEqual([
      'gatehouse.yaml:2:9 server.port: expected a number, got "8080"',
      'gatehouse.yaml:3:17 server.metrics_port: expected a number <= 65535, got 70000',
      'gatehouse.yaml:4:21 server.drain_timeout_ms: expected a whole number, got 1.5',
      'gatehouse.yaml:5:15 log.level: expected one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"',
      'gatehouse.yaml:7:21 models.empty.targets: expected at least 1 item, got 0',
      'gatehouse.yaml:8:25 models.no-model.targets[0].model: missing; expected a string',
    ]);
  });

  it('names the line of a YAML syntax error without quoting the file', () => {
    const errors = errorsOf(load('server:\n  port: 1\n api_key: "sk-secret\n'));
    expect(errors).toMatch(/^gatehouse.yaml:3:\d+ YAML syntax: /);
    expect(errors).not.toContain('sk-secret');
  });

  it('reports duplicate keys', () => {
    expect(errorsOf(load('server:\n  port: 1\n  port: 2\n'))).toMatch(
      /^gatehouse.yaml:3:3 YAML syntax: .*unique/,
    );
  });

  it('requires a single document', () => {
    expect(errorsOf(load('server: {}\n---\nlog: {}\n'))).toBe(
      'gatehouse.yaml:2:1 YAML syntax: the file must hold one YAML document, found another after ---',
    );
  });

  it('requires the file to be a mapping', () => {
    expect(errorsOf(load('- a\n- b\n'))).toBe('gatehouse.yaml:1:1 the file must be a mapping of settings');
  });

  it('keeps a key named __proto__ a key, and rejects it', () => {
    expect(errorsOf(load('__proto__: { polluted: true }\n'))).toContain('unknown key "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('follows aliases but rejects one that contains itself', () => {
    const shared =
      'defaults:\n  retry: &retry { attempts: 5 }\nmodels:\n  m:\n    targets: [{ provider: mock, model: m }]\n    retry: *retry\n';
    expect(configOf(load(shared)).models.m?.retry.attempts).toBe(5);
    expect(errorsOf(load('server: &s\n  tls: *s\n'))).toContain('refers to a mapping that contains it');
  });

  it('returns every problem at once', () => {
    const result = load('server: { port: x, host: "" }\nbogus: 1\n', { METRICS_PORT: 'nine' });
    expect(result.ok ? 0 : result.errors.length).toBe(4);
  });
});

describe('the loaded configuration', () => {
  it('is frozen all the way down', () => {
    const config = configOf(load('models:\n  m: { targets: [{ provider: mock, model: m }] }\n'));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.models.m?.targets)).toBe(true);
    expect(Object.isFrozen(config.models.m?.targets[0])).toBe(true);
    expect(Object.isFrozen(config.defaults.retry.on)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('applies nested defaults', () => {
    const config = configOf(
      load('models:\n  m: { targets: [{ provider: mock, model: m }], retry: { attempts: 2 } }\n'),
    );
    expect(config.models.m?.retry).toMatchObject({ attempts: 2, backoff_ms: 250 });
    expect(config.models.m?.targets[0]?.weight).toBe(1);
    expect(config.models.m?.timeouts.total_ms).toBe(600_000);
  });
});
