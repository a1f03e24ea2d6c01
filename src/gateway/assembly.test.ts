import { describe, expect, it } from 'vitest';
import { assembleOrUnwind, createAssembly, type Contribution } from './assembly.js';

/** An area that records when it closes, after a turn of the event loop (closing is asynchronous). */
function area(name: string, closed: string[]): Contribution<string> {
  return {
    parts: name,
    close: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      closed.push(name);
    },
  };
}

describe('the gateway assembly', () => {
  it('closes areas in reverse order of assembly, each once, after the one assembled after it', async () => {
    const closed: string[] = [];
    const assembly = createAssembly();
    expect(assembly.add('database', area('database', closed))).toBe('database');
    assembly.add('redis', area('redis', closed));
    assembly.add('metrics', { parts: 'no close' });
    assembly.add('http', area('http', closed));

    await Promise.all([assembly.close(), assembly.close()]);
    await assembly.close();

    expect(closed).toEqual(['http', 'redis', 'database']);
  });

  it('closes every area when one fails to close, then rethrows the first failure', async () => {
    const closed: string[] = [];
    const assembly = createAssembly();
    assembly.add('database', area('database', closed));
    assembly.add('limits', {
      parts: undefined,
      close: () => {
        throw new Error('limiter stuck');
      },
    });
    assembly.add('accounting', {
      parts: undefined,
      close: () => Promise.reject(new Error('usage writer stuck')),
    });
    assembly.add('http', area('http', closed));

    await expect(assembly.close()).rejects.toThrow('usage writer stuck');
    expect(closed).toEqual(['http', 'database']);
  });

  it('collects readiness checks and routes in assembly order', () => {
    const assembly = createAssembly();
    const route = () => undefined;
    assembly.add('database', {
      parts: 1,
      readiness: [{ name: 'database', check: () => ({ state: 'ok', ready: true }) }],
    });
    assembly.add('redis', {
      parts: 2,
      readiness: [{ name: 'redis', check: () => ({ state: 'up', ready: true }) }],
    });
    assembly.add('tools', { parts: 3, routes: [route] });

    expect(assembly.readinessChecks().map((check) => check.name)).toEqual(['database', 'redis']);
    expect(assembly.routes()).toEqual([route]);
    expect(assembly.stages()).toEqual({});
  });

  it('fills each pipeline slot from the area that adds it, and refuses a slot filled twice', () => {
    const assembly = createAssembly();
    const scan = { name: 'scan', wrap: (answer: never) => answer };
    const guard = { name: 'guard', run: () => ({ type: 'continue' }) as const };
    assembly.add('guard', { parts: 1, stages: { inputGuard: guard, outputScan: scan } });
    assembly.add('tools', { parts: 2, stages: { toolFirewall: undefined } });
    expect(assembly.stages()).toEqual({ inputGuard: guard, outputScan: scan });
    expect(() => assembly.add('other', { parts: 3, stages: { outputScan: scan } })).toThrow(
      /other fills the pipeline slot outputScan, already filled/,
    );
  });

  it('refuses an area added once closing began', async () => {
    const assembly = createAssembly();
    await assembly.close();
    expect(() => assembly.add('late', { parts: 0 })).toThrow(/closing/);
  });
});

describe('a start that fails half way', () => {
  it('closes what was assembled before the failing assembler, in reverse order, and rethrows', async () => {
    const closed: string[] = [];
    const closeFailures: unknown[] = [];
    const failure = new Error('redis_url is not a Redis URL');

    const started = assembleOrUnwind(
      async (assembly) => {
        assembly.add('tracing', area('tracing', closed));
        assembly.add('database', area('database', closed));
        await Promise.resolve();
        throw failure;
      },
      (error) => closeFailures.push(error),
    );

    await expect(started).rejects.toBe(failure);
    expect(closed).toEqual(['database', 'tracing']);
    expect(closeFailures).toEqual([]);
  });

  it('reports a close that fails while unwinding, and still rethrows the start failure', async () => {
    const closed: string[] = [];
    const closeFailures: unknown[] = [];
    const closeFailure = new Error('database already gone');

    const started = assembleOrUnwind(
      async (assembly) => {
        assembly.add('tracing', area('tracing', closed));
        assembly.add('database', { parts: undefined, close: () => Promise.reject(closeFailure) });
        await Promise.resolve();
        throw new Error('certificate not found');
      },
      (error) => closeFailures.push(error),
    );

    await expect(started).rejects.toThrow('certificate not found');
    expect(closed).toEqual(['tracing']);
    expect(closeFailures).toEqual([closeFailure]);
  });

  it('hands back what was built when nothing fails, with nothing closed', async () => {
    const closed: string[] = [];
    const built = await assembleOrUnwind(
      (assembly) => {
        const database = assembly.add('database', area('database', closed));
        return Promise.resolve({ database, close: () => assembly.close() });
      },
      () => undefined,
    );

    expect(built.database).toBe('database');
    expect(closed).toEqual([]);
    await built.close();
    expect(closed).toEqual(['database']);
  });
});
