/** What a benchmark run measures, as the command line sets it. */

export const modeNames = ['non-streaming', 'streaming', 'sequential', 'cache-hit'] as const;
export type ModeName = (typeof modeNames)[number];

/**
 * What `--mode` accepts: the LLM modes above, plus `authorize` (agent authorization: the decision
 * engine in process and `POST /v1/agent/authorize`, measured apart from the LLM modes' tables) and
 * `guard` (chat throughput with prompt-injection detection on against off).
 */
export const benchModeNames = [...modeNames, 'authorize', 'guard'] as const;
export type BenchModeName = (typeof benchModeNames)[number];

/**
 * `direct` is the mock provider itself (no proxy); `bare` the bare Node.js proxy; `gatehouse-redis`
 * Gatehouse with its shared state in Redis (only with a Redis URL); `portkey` the peer installed
 * under bench/peers (only when installed).
 */
export const targetNames = ['direct', 'bare', 'gatehouse', 'gatehouse-redis', 'portkey'] as const;
export type TargetName = (typeof targetNames)[number];

export type LoadGeneratorChoice = 'auto' | 'autocannon' | 'wrk';

export interface BenchOptions {
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly modes: readonly ModeName[];
  /** Also run the `authorize` mode. */
  readonly authorize?: boolean;
  /** Also run the `guard` mode. */
  readonly guard?: boolean;
  readonly targets: readonly TargetName[];
  /** Overrides the per-mode default (50 non-streaming, 20 streaming; sequential is always 1). */
  readonly connections?: number;
  /** Seconds of unmeasured load per target before the first round, so the JIT is warm. */
  readonly warmupSeconds: number;
  readonly loadGenerator: LoadGeneratorChoice;
  readonly outputDirectory: string;
  /** With a Redis URL, the `gatehouse-redis` target is measured too. */
  readonly redisUrl?: string;
}

export interface SoakOptions {
  readonly minutes: number;
  /** Seconds between two memory samples. */
  readonly sampleIntervalSeconds: number;
  readonly connections: number;
  readonly outputDirectory: string;
}

export const defaultConnections: Readonly<Record<ModeName, number>> = {
  'non-streaming': 50,
  streaming: 20,
  sequential: 1,
  'cache-hit': 1,
};

export function connectionsFor(mode: ModeName, options: BenchOptions): number {
  return mode === 'sequential' || mode === 'cache-hit'
    ? 1
    : (options.connections ?? defaultConnections[mode]);
}

/** Parses a comma-separated list against the allowed names; throws naming the first unknown one. */
export function parseNameList<Name extends string>(
  text: string,
  allowed: readonly Name[],
  what: string,
): Name[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(allowed as readonly string[]).includes(name)) {
      throw new Error(`unknown ${what} "${name}"; expected one of ${allowed.join(', ')}`);
    }
  }
  if (names.length === 0) throw new Error(`expected at least one ${what}`);
  return [...new Set(names)] as Name[];
}
