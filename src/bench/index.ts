import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizeGoals, runAuthorizeBench, type AuthorizeBenchResult } from './authorize-bench.js';
import {
  connectionsFor,
  type BenchOptions,
  type ModeName,
  type SoakOptions,
  type TargetName,
} from './bench-options.js';
import { renderTerminal, writeReport, type BenchReport, type MachineDescription } from './bench-report.js';
import { measure } from './bench-runner.js';
import { summariseMeasurements } from './bench-summary.js';
import {
  startAuditOffGatehouse,
  startGuardOffGatehouse,
  startTargets,
  type BenchPaths,
} from './bench-targets.js';
import { createChildProcessGroup } from './child-processes.js';
import { checkGoals } from './goals.js';
import { runGuardBench, type GuardBenchResult } from './guard-bench.js';
import { readClockTicks } from './process-statistics.js';
import type { Progress } from './progress.js';
import { runSoak } from './soak.js';
import { renderSoak, writeSoakReport, type SoakReport } from './soak-report.js';
import { checkTarget } from './target-check.js';
import { wrkAvailable } from './wrk-load.js';

/**
 * `gatehouse bench`: the mock provider, the bare proxy, Gatehouse and installed peers, each in its
 * own process on 127.0.0.1, driven in turn; see docs/performance.md for the method. Every child is
 * stopped when the run ends, fails or is aborted.
 */

export {
  benchModeNames,
  modeNames,
  parseNameList,
  targetNames,
  type BenchModeName,
  type BenchOptions,
  type LoadGeneratorChoice,
  type ModeName,
  type SoakOptions,
  type TargetName,
} from './bench-options.js';
export { createProgressBar, silentProgress, type Progress } from './progress.js';
export type { BenchReport } from './bench-report.js';
export type { SoakReport } from './soak-report.js';

export interface BenchDependencies {
  readonly paths: Omit<BenchPaths, 'workDirectory'>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly progress: Progress;
  /** Aborting stops the load and every child (Ctrl-C). */
  readonly signal: AbortSignal;
  readonly now?: () => Date;
}

export interface BenchOutcome<Report> {
  readonly report: Report;
  readonly files: { readonly json: string; readonly markdown: string };
}

function describeMachine(clockTicks: number, loadAverage: number): MachineDescription {
  const processors = cpus();
  return {
    loadAverage,
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    node: process.versions.node,
    platform: `${platform()} ${release()}`,
    clockTicks,
  };
}

/**
 * The 1-minute load average, with a warning when other work already keeps half the cores busy:
 * every target then measures low and noisy, and only the ratios inside the run stay meaningful.
 */
function busyMachineWarning(dependencies: BenchDependencies): number {
  const [loadAverage = 0] = loadavg();
  const cores = cpus().length;
  if (loadAverage > cores / 2) {
    dependencies.stderr(
      `gatehouse bench: the machine is busy (load average ${loadAverage.toFixed(2)} on ${cores} cores); ` +
        'absolute figures will be low and noisy\n',
    );
  }
  return loadAverage;
}

/** Creates the private temporary directory, runs `work`, stops every child; keeps the logs on failure. */
async function withChildren<Result>(
  dependencies: BenchDependencies,
  work: (paths: BenchPaths, group: ReturnType<typeof createChildProcessGroup>) => Promise<Result>,
): Promise<Result> {
  const workDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const group = createChildProcessGroup();
  let succeeded = false;
  try {
    const result = await work({ ...dependencies.paths, workDirectory }, group);
    succeeded = true;
    return result;
  } finally {
    dependencies.progress.stop();
    await group.stopAll();
    // Logs explain a failure; an interrupted or finished run needs none of them.
    if (succeeded || dependencies.signal.aborted) {
      rmSync(workDirectory, { recursive: true, force: true });
    } else {
      dependencies.stderr(`gatehouse bench: the children's logs are kept in ${workDirectory}\n`);
    }
  }
}

async function chooseWrk(options: BenchOptions): Promise<boolean> {
  const { loadGenerator: choice, modes } = options;
  const drivesLoad = modes.includes('non-streaming') || options.authorize === true || options.guard === true;
  if (choice === 'autocannon' || !drivesLoad) return false;
  const available = await wrkAvailable();
  if (choice === 'wrk' && !available) throw new Error('--load-generator wrk: wrk is not installed');
  return available;
}

/** The `authorize` and `guard` modes alone need only the Gatehouse target (and the mock). */
function targetsToStart(options: BenchOptions): readonly TargetName[] {
  if (options.modes.length > 0) return options.targets;
  return options.targets.filter((name) => name === 'gatehouse');
}

async function guardIfAsked(
  options: BenchOptions,
  targets: Parameters<typeof runGuardBench>[0],
  dependencies: BenchDependencies,
  load: Omit<Parameters<typeof runGuardBench>[1], 'durationSeconds' | 'rounds' | 'warmupSeconds' | 'signal'>,
): Promise<GuardBenchResult | undefined> {
  if (options.guard !== true) return undefined;
  const result = await runGuardBench(targets, {
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    warmupSeconds: options.warmupSeconds,
    signal: dependencies.signal,
    ...load,
  });
  if (result.type === 'skipped')
    dependencies.stderr(`gatehouse bench: guard not measured: ${result.reason}\n`);
  return result;
}

async function authorizeIfAsked(
  options: BenchOptions,
  targets: Parameters<typeof runAuthorizeBench>[0],
  dependencies: BenchDependencies,
  load: {
    readonly useWrk: boolean;
    readonly workDirectory: string;
    readonly clockTicks: number;
    readonly startAuditOff: () => ReturnType<typeof startAuditOffGatehouse>;
  },
): Promise<AuthorizeBenchResult | undefined> {
  if (options.authorize !== true) return undefined;
  const result = await runAuthorizeBench(targets, {
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    warmupSeconds: options.warmupSeconds,
    signal: dependencies.signal,
    ...load,
  });
  if (result.http.type === 'skipped') {
    dependencies.stderr(`gatehouse bench: authorize over HTTP not measured: ${result.http.reason}\n`);
  }
  return result;
}

export async function runBench(
  options: BenchOptions,
  dependencies: BenchDependencies,
): Promise<BenchOutcome<BenchReport>> {
  const now = dependencies.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const clockTicks = await readClockTicks();
  const loadAverage = busyMachineWarning(dependencies);
  const useWrk = await chooseWrk(options);
  const report = await withChildren(dependencies, async (paths, group): Promise<BenchReport> => {
    const started = await startTargets(paths, group, {
      requested: targetsToStart(options),
      ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    });
    for (const skip of started.skipped)
      dependencies.stderr(`gatehouse bench: not measuring ${skip.name}: ${skip.reason}\n`);
    if (started.targets.length === 0) throw new Error('no target to measure');
    const eventsPerStream: Partial<Record<TargetName, number>> = {};
    if (options.modes.length > 0) {
      for (const target of started.targets) {
        eventsPerStream[target.name] = (await checkTarget(target.label, target.load)).eventsPerStream;
      }
    }
    const outcome =
      options.modes.length === 0
        ? { measurements: [], idleRssBytes: {} }
        : await measure(started, options, {
            clockTicks,
            progress: dependencies.progress,
            useWrk,
            workDirectory: paths.workDirectory,
            signal: dependencies.signal,
          });
    const authorize = await authorizeIfAsked(options, started.targets, dependencies, {
      useWrk,
      workDirectory: paths.workDirectory,
      clockTicks,
      startAuditOff: () => startAuditOffGatehouse(paths, group),
    });
    const guard = await guardIfAsked(options, started.targets, dependencies, {
      useWrk,
      workDirectory: paths.workDirectory,
      clockTicks,
      startGuardOff: () => startGuardOffGatehouse(paths, group, started.mock),
    });
    const summaries = summariseMeasurements(
      outcome.measurements,
      started.targets,
      options.modes,
      outcome.idleRssBytes,
    );
    const connections: Partial<Record<ModeName, number>> = {};
    for (const mode of options.modes) connections[mode] = connectionsFor(mode, options);
    return {
      startedAt,
      finishedAt: now().toISOString(),
      machine: describeMachine(clockTicks, loadAverage),
      settings: {
        durationSeconds: options.durationSeconds,
        rounds: options.rounds,
        warmupSeconds: options.warmupSeconds,
        modes: options.modes,
        connections,
        nonStreamingLoadGenerator: useWrk ? 'wrk, one thread' : 'autocannon, in the harness process',
      },
      eventsPerStream,
      skipped: started.skipped,
      summaries,
      goals: [
        ...(options.modes.length > 0 ? checkGoals(summaries) : []),
        ...(options.authorize === true ? authorizeGoals(authorize) : []),
      ],
      ...(authorize === undefined ? {} : { authorize }),
      ...(guard === undefined ? {} : { guard }),
      measurements: outcome.measurements,
    };
  });
  // Written and printed once every child has stopped, so a closed stdout cannot leave one running.
  const files = writeReport(report, options.outputDirectory);
  dependencies.stdout(renderTerminal(report));
  dependencies.stdout(`\nWritten: ${files.markdown}\n         ${files.json}\n`);
  return { report, files };
}

export async function runSoakBench(
  options: SoakOptions,
  dependencies: BenchDependencies,
): Promise<BenchOutcome<SoakReport>> {
  const now = dependencies.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const clockTicks = await readClockTicks();
  const loadAverage = busyMachineWarning(dependencies);
  const report = await withChildren(dependencies, async (paths, group): Promise<SoakReport> => {
    const started = await startTargets(paths, group, { requested: ['gatehouse'], reportGatewayMemory: true });
    const gatehouse = started.targets[0];
    if (gatehouse === undefined) throw new Error('Gatehouse did not start');
    await checkTarget(gatehouse.label, gatehouse.load);
    const result = await runSoak(gatehouse, options, {
      clockTicks,
      progress: dependencies.progress,
      signal: dependencies.signal,
    });
    return { startedAt, machine: describeMachine(clockTicks, loadAverage), result };
  });
  const files = writeSoakReport(report, options.outputDirectory);
  dependencies.stdout(renderSoak(report));
  dependencies.stdout(`\nWritten: ${files.markdown}\n         ${files.json}\n`);
  return { report, files };
}
