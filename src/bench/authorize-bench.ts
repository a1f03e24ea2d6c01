import { runEngineBench, type EngineBenchResult } from './authorize-engine.js';
import {
  probeAuthorizeRoute,
  runConcurrentAuthorize,
  runSequentialAuthorize,
  type AuthorizeHttpTarget,
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
      /** The same load on a gateway with the audit log off: what the audit costs. */
      readonly auditOff?: ConcurrentAuthorizeResult;
    }
  | { readonly type: 'skipped'; readonly reason: string };

export interface AuthorizeBenchResult {
  readonly policyRules: number;
  readonly engine: EngineBenchResult;
  readonly http: AuthorizeHttpOutcome;
}

export interface AuthorizeBenchOptions {
  readonly durationSeconds: number;
  /**
   * 50-connection runs per gateway. With the audit-off gateway they alternate (on, off, on, off…)
   * and each side reports its median run, so that drift on a shared machine falls on both alike.
   */
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly signal: AbortSignal;
  /** Drive the 50 connections with wrk (when installed) instead of autocannon. */
  readonly useWrk: boolean;
  /** Where wrk's script and bodies are written. */
  readonly workDirectory: string;
  /** `getconf CLK_TCK`, to read the gateway's CPU time from /proc. */
  readonly clockTicks: number;
  /** Starts a gateway alike but with the audit log off; absent: no comparison. */
  readonly startAuditOff?: () => Promise<{
    readonly target: AuthorizeHttpTarget;
    readonly pid: number | undefined;
  }>;
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
  const off = await startAuditOff(texts, options);
  const onRuns: ConcurrentAuthorizeResult[] = [];
  const offRuns: ConcurrentAuthorizeResult[] = [];
  for (let round = 0; round < Math.max(1, options.rounds); round += 1) {
    onRuns.push(await concurrentWithCpu(gatehouse, pid, texts, options));
    if (off !== undefined) offRuns.push(await concurrentWithCpu(off.target, off.pid, texts, options));
  }
  const concurrent = medianRun(onRuns);
  const auditOff = offRuns.length === 0 ? undefined : medianRun(offRuns);
  return {
    policyRules: benchPolicyRuleCount,
    engine,
    http: { type: 'measured', sequential, concurrent, ...(auditOff === undefined ? {} : { auditOff }) },
  };
}

/** The 50 connections, with the gateway's CPU time per decision read from /proc around them. */
async function concurrentWithCpu(
  target: AuthorizeHttpTarget,
  pid: number | undefined,
  texts: readonly string[],
  options: AuthorizeBenchOptions,
): Promise<ConcurrentAuthorizeResult> {
  const cpuBefore = pid === undefined ? undefined : await sampleProcess(pid, options.clockTicks);
  const load = await runConcurrentAuthorize(target, texts, {
    connections: authorizeConnections,
    durationSeconds: options.durationSeconds,
    signal: options.signal,
    wrkDirectory: options.useWrk ? options.workDirectory : undefined,
  });
  const cpuAfter = pid === undefined ? undefined : await sampleProcess(pid, options.clockTicks);
  // CPU per decision does not depend on what else loads the machine, as decisions/s does.
  if (cpuBefore === undefined || cpuAfter === undefined || load.decisions === 0) return load;
  const cpuMilliseconds = cpuAfter.cpuMilliseconds - cpuBefore.cpuMilliseconds;
  return { ...load, gatewayCpuMsPer1000: (cpuMilliseconds * 1000) / load.decisions };
}

/** The gateway with the audit log off, warmed up like the first; undefined when not asked for. */
async function startAuditOff(
  texts: readonly string[],
  options: AuthorizeBenchOptions,
): Promise<{ readonly target: AuthorizeHttpTarget; readonly pid: number | undefined } | undefined> {
  if (options.startAuditOff === undefined) return undefined;
  const started = await options.startAuditOff();
  if (options.warmupSeconds > 0)
    await runSequentialAuthorize(started.target, texts, options.warmupSeconds * 1000);
  return started;
}

/** The run with the median decisions/s (the lower middle of an even count); errors of all runs. */
function medianRun(runs: readonly ConcurrentAuthorizeResult[]): ConcurrentAuthorizeResult {
  const sorted = [...runs].sort((first, second) => first.decisionsPerSecond - second.decisionsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('no 50-connection run to report');
  const errors = runs.reduce((sum, run) => sum + run.errors, 0);
  return { ...median, errors, rounds: runs.length };
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
    goal(
      'authorize: audit on costs ≤ 10 % decisions/s against audit off',
      auditCost(http),
      (value) => value <= 0.1,
      (value) => `${(value * 100).toFixed(1)} %`,
    ),
  ];
}

/** 1 − (decisions/s with audit on ÷ off); negative when the audit-on run was the faster. */
function auditCost(
  http: Extract<AuthorizeHttpOutcome, { type: 'measured' }> | undefined,
): number | undefined {
  const off = http?.auditOff?.decisionsPerSecond;
  if (http === undefined || off === undefined || off === 0) return undefined;
  return 1 - http.concurrent.decisionsPerSecond / off;
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
  const { sequential, concurrent, auditOff } = http;
  return [
    ...lines,
    `Over HTTP, sequential: ${percentiles('POST /v1/agent/authorize', sequential.authorize)}; ` +
      `${percentiles('GET /health', sequential.health)}; ${percentiles('added', sequential.added)}; ` +
      `${sequential.errors} errors.`,
    describeConcurrent('Over HTTP', concurrent),
    ...(auditOff === undefined ? [] : [describeConcurrent('Audit off, over HTTP', auditOff)]),
  ];
}

function describeConcurrent(label: string, run: ConcurrentAuthorizeResult): string {
  const latency = run.latency === undefined ? '' : `, ${percentiles('latency', run.latency)}`;
  const firstError = run.firstError === undefined ? '' : ` (first: ${run.firstError})`;
  const cpu =
    run.gatewayCpuMsPer1000 === undefined
      ? ''
      : `; gateway CPU ${run.gatewayCpuMsPer1000.toFixed(0)} ms per 1,000 decisions`;
  return (
    `${label}, ${run.connections} connections (${run.generator}${run.rounds === undefined || run.rounds === 1 ? '' : `, median of ${run.rounds} runs`}): ${run.decisionsPerSecond.toFixed(0)} decisions/s` +
    `${latency}; ${run.errors} errors${firstError}${cpu}.`
  );
}
