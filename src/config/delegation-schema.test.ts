import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { parseDuration } from './duration.js';
import { loadConfig, type LoadResult } from './load.js';

function load(yaml: string, env: Record<string, string> = {}): LoadResult {
  return loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
}

function delegationOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config.governance.delegation;
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be refused');
  return formatProblems(result.errors);
}

describe('governance.delegation', () => {
  it('defaults to Lelu’s documented limits', () => {
    expect(delegationOf(load(''))).toEqual({
      max_depth: 5,
      max_swarm_size: 10,
      swarm_operation_timeout: 30_000,
      confidence_floor: 0.9,
      llm_routes: false,
    });
  });

  it('reads durations in Go’s syntax, as Lelu writes SWARM_OPERATION_TIMEOUT', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('30')).toBeUndefined();
    expect(parseDuration('s')).toBeUndefined();
    expect(parseDuration('-5s')).toBeUndefined();
    expect(parseDuration('5 s')).toBeUndefined();
  });

  it('takes each Lelu variable: MAX_DELEGATION_DEPTH, MAX_SWARM_SIZE, SWARM_OPERATION_TIMEOUT', () => {
    const delegation = delegationOf(
      load('', { MAX_DELEGATION_DEPTH: '2', MAX_SWARM_SIZE: '3', SWARM_OPERATION_TIMEOUT: '2m' }),
    );
    expect(delegation).toMatchObject({ max_depth: 2, max_swarm_size: 3, swarm_operation_timeout: 120_000 });
  });

  it('lets the variables override the file', () => {
    const yaml = 'governance:\n  delegation: { max_depth: 7, swarm_operation_timeout: 10s }\n';
    expect(delegationOf(load(yaml))).toMatchObject({ max_depth: 7, swarm_operation_timeout: 10_000 });
    expect(delegationOf(load(yaml, { MAX_DELEGATION_DEPTH: '3' })).max_depth).toBe(3);
  });

  it('refuses a duration without its unit, and nonsense, naming the field and the variable', () => {
    const bare = errorsOf(load('governance:\n  delegation: { swarm_operation_timeout: 30 }\n'));
    expect(bare).toContain('governance.delegation.swarm_operation_timeout');
    expect(bare).toContain('like 30s, 500ms, 2m');
    expect(errorsOf(load('', { SWARM_OPERATION_TIMEOUT: 'soon' }))).toContain('SWARM_OPERATION_TIMEOUT');
    expect(errorsOf(load('', { SWARM_OPERATION_TIMEOUT: '200h' }))).toContain('between 1ms and 168h');
    expect(errorsOf(load('', { MAX_DELEGATION_DEPTH: 'deep' }))).toContain('MAX_DELEGATION_DEPTH');
    expect(errorsOf(load('', { MAX_SWARM_SIZE: '0' }))).toContain('governance.delegation.max_swarm_size');
    expect(errorsOf(load('governance:\n  delegation: { confidence_floor: 1.5 }\n'))).toContain(
      'governance.delegation.confidence_floor',
    );
  });
});
