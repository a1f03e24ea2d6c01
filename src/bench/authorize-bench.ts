import { runEngineBench, type EngineBenchResult } from './authorize-engine.js';
import {
  probeAuthorizeRoute,
  runConcurrentAuthorize,
  runSequentialAuthorize,
  type ConcurrentAuthorizeResult,
  type SequentialAuthorizeResult,
} from './authorize-http.js';
import { benchAuthorizeBodies, benchPolicyRuleCount } from './authorize-workload.js';
import type { BenchTarget } from './bench-targets.js';
import type { GoalResult } from './goals.js';
import { sampleProcess } from './process-statistics.js';

/**
 * The `authorize` mode: the decision engine alone in this process, then the route over HTTP on the
 * Gatehouse target (sequential beside `GET /health`, and 50 connections). Each part runs once for
 * the run's duration after a warm-up, and says why when it could not run.
 */

export const authorizeConnections = 50;

export type AuthorizeHttpOutcome =
  | {
      readonly type: 'measured';
      readonly sequential: SequentialAuthorizeResult;
      readonly concurrent: ConcurrentAuthorizeResult;
    }
  | { readonly type: 'skipped'; readonly reason: string };

export interface AuthorizeBenchResult {
  readonly policyRules: number;
  readonly engine: EngineBenchResult;
  readonly http: AuthorizeHttpOutcome;
}

export interface AuthorizeBenchOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly signal: AbortSignal;
  /** Drive the 50 connections with wrk (when installed) instead of autocannon. */
  readonly useWrk: boolean;
  /** Where wrk's script and bodies are written. */
  readonly workDirectory: string;
  /** `getconf CLK_TCK`, to read the gateway's CPU time from /proc. */
  readonly clockTicks: number;
}

export async function runAuthorizeBench(
  targets: readonly BenchTarget[],
  options: AuthorizeBenchOptions,
): Promise<AuthorizeBenchResult> {
  if (options.warmupSeconds > 0) runEngineBench(Math.min(options.warmupSeconds, 2) * 1000);
  const engine = runEngineBench(options.durationSeconds * 1000);
  const gatehouse = targets.find((target) => target.name === 'gatehouse')?.authorize;
  if (gatehouse === undefined) {
    return {
      policyRules: benchPolicyRuleCount,
      engine,
      http: { type: 'skipped', reason: 'the gatehouse target is not measured' },
    };
  }
  const bodies = benchAuthorizeBodies();
  const [firstBody] = bodies;
  if (firstBody === undefined) throw new Error('the bench has no authorize body');
  const probe = await probeAuthorizeRoute(gatehouse, firstBody);
  if (probe.type === 'unavailable')
    return { policyRules: benchPolicyRuleCount, engine, http: { type: 'skipped', reason: probe.reason } };
  const texts = bodies.map((body) => JSON.stringify(body));
  if (options.warmupSeconds > 0) await runSequentialAuthorize(gatehouse, texts, options.warmupSeconds * 1000);
  const sequential = await runSequentialAuthorize(gatehouse, texts, options.durationSeconds * 1000);
  const pid = targets.find((target) => target.name === 'gatehouse')?.process?.pid;
  const cpuBefore = pid === undefined ? undefined : await sampleProcess(pid, options.clockTicks);
  const load = await runConcurrentAuthorize(gatehouse, texts, {
    connections: authorizeConnections,
    durationSeconds: options.durationSeconds,
    signal: options.signal,
    wrkDirectory: options.useWrk ? options.workDirectory : undefined,
  });
  const cpuAfter = pid === undefined ? undefined : await sampleProcess(pid, options.clockTicks);
  // CPU per decision does not depend on what else loads the machine, as decisions/s does.
  const concurrent =
    cpuBefore === undefined || cpuAfter === undefined || load.decisions === 0
      ? load
      : {
          ...load,
          gatewayCpuMsPer1000:
            ((cpuAfter.cpuMilliseconds - cpuBefore.cpuMilliseconds) * 1000) / load.decisions,
        };
  return { policyRules: benchPolicyRuleCount, engine, http: { type: 'measured', sequential, concurrent } };
}

function milliseconds(value: number): string {
  return `${value.toFixed(3)} ms`;
}

function goal(
  name: string,
  value: number | undefined,
  met: (value: number) => boolean,
  format: (value: number) => string,
): GoalResult {
  return value === undefined
    ? { goal: name, measured: 'not measured', met: undefined }
    : { goal: name, measured: format(value), met: met(value) };
}

/** The targets of issue 15, item 8; undefined figures (no HTTP part) are reported as not measured. */
export function authorizeGoals(result: AuthorizeBenchResult | undefined): GoalResult[] {
  const http = result?.http.type === 'measured' ? result.http : undefined;
  return [
    goal(
      'authorize: engine alone p99 ≤ 0.5 ms (100-rule policy)',
      result?.engine.latency.p99,
      (value) => value <= 0.5,
      milliseconds,
    ),
    goal(
      'authorize: HTTP sequential added p99 over GET /health ≤ 2 ms',
      http?.sequential.added.p99,
      (value) => value <= 2,
      milliseconds,
    ),
    goal(
      `authorize: ≥ 5,000 decisions/s at ${authorizeConnections} connections`,
      http?.concurrent.decisionsPerSecond,
      (value) => value >= 5_000,
      (value) => `${value.toFixed(0)}/s`,
    ),
  ];
}

function percentiles(label: string, values: { readonly p50: number; readonly p99: number }): string {
  return `${label} p50 ${milliseconds(values.p50)}, p99 ${milliseconds(values.p99)}`;
}

/** The mode's figures as lines of text, for the terminal and the markdown report alike. */
export function describeAuthorizeBench(result: AuthorizeBenchResult): string[] {
  const { engine, http } = result;
  const counts = Object.entries(engine.decisionCounts)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const lines = [
    `Engine alone (${result.policyRules}-rule policy, in process): ${percentiles('decide()', engine.latency)}; ` +
      `${engine.decisionsPerSecond.toFixed(0)} decisions/s on one core; ${engine.decisions} decisions (${counts}).`,
  ];
  if (http.type === 'skipped') return [...lines, `Over HTTP: not measured, ${http.reason}.`];
  const { sequential, concurrent } = http;
  return [
    ...lines,
    `Over HTTP, sequential: ${percentiles('POST /v1/agent/authorize', sequential.authorize)}; ` +
      `${percentiles('GET /health', sequential.health)}; ${percentiles('added', sequential.added)}; ` +
      `${sequential.errors} errors.`,
    `Over HTTP, ${concurrent.connections} connections (${concurrent.generator}): ${concurrent.decisionsPerSecond.toFixed(0)} decisions/s` +
      `${concurrent.latency === undefined ? '' : `, ${percentiles('latency', concurrent.latency)}`}; ${concurrent.errors} errors` +
      (concurrent.firstError === undefined ? '' : ` (first: ${concurrent.firstError})`) +
      `${concurrent.gatewayCpuMsPer1000 === undefined ? '' : `; gateway CPU ${concurrent.gatewayCpuMsPer1000.toFixed(0)} ms per 1,000 decisions`}.`,
  ];
}
