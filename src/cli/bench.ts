import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, Option, type Command } from 'commander';
// Only the option parsing is loaded up front: the harness (load generators, their WASM, tables)
// is imported when `gatehouse bench` runs, so that `gatehouse start` never loads it.
import {
  benchModeNames,
  modeNames,
  parseNameList,
  type BenchModeName,
  targetNames,
  type LoadGeneratorChoice,
  type ModeName,
  type TargetName,
} from '../bench/bench-options.js';
import type { BenchDependencies } from '../bench/index.js';
import { exitCodes, type CliEnvironment } from './environment.js';

interface BenchCommandOptions {
  readonly duration: number;
  readonly rounds: number;
  readonly connections?: number;
  readonly mode: readonly BenchModeName[];
  readonly targets: readonly TargetName[];
  readonly warmup: number;
  readonly loadGenerator: LoadGeneratorChoice;
  readonly soak?: number;
  readonly sampleInterval: number;
  readonly out: string;
  readonly peers: string;
  readonly redisUrl?: string;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return number;
}

function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('expected a number ≥ 0.');
  return number;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError('expected a whole number > 0.');
  return number;
}

function modes(value: string): BenchModeName[] {
  if (value === 'all') return [...benchModeNames];
  try {
    return parseNameList(value, benchModeNames, 'mode');
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? `${error.message} or all.` : String(error));
  }
}

function targets(value: string): TargetName[] {
  try {
    return parseNameList(value, targetNames, 'target');
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? `${error.message}.` : String(error));
  }
}

function loadGenerator(value: string): LoadGeneratorChoice {
  if (value === 'auto' || value === 'autocannon' || value === 'wrk') return value;
  throw new InvalidArgumentError('expected auto, autocannon or wrk.');
}

/**
 * `gatehouse bench`: the benchmark harness (docs/performance.md). The harness's files are found
 * next to this module in dist/, and children run with the Node.js binary running this command.
 */
export function registerBenchCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  // dist/cli/bench.js → dist/ and the package root above it.
  const distDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
  const packageRoot = join(distDirectory, '..');
  program
    .command('bench')
    .description(
      'measure Gatehouse against a direct call, a bare Node.js proxy and installed peers, on 127.0.0.1',
    )
    .option('--duration <seconds>', 'seconds per target, mode and round', positiveNumber, 10)
    .option('--rounds <n>', 'rounds; targets alternate within each', positiveInteger, 3)
    .option(
      '--connections <n>',
      'connections (default: 50 non-streaming, 20 streaming; sequential is 1)',
      positiveInteger,
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'non-streaming, streaming, sequential, cache-hit, authorize, guard, a comma-separated list, or all',
      )
        .argParser(modes)
        .default([...benchModeNames], 'all'),
    )
    .addOption(
      new Option('--targets <list>', `comma-separated: ${targetNames.join(', ')}`)
        .argParser(targets)
        .default([...targetNames], 'all; those not installed or configured are skipped'),
    )
    .option('--warmup <seconds>', 'unmeasured load per target before the first round', nonNegativeNumber, 2)
    .option(
      '--load-generator <name>',
      'non-streaming, authorize and guard load: auto (wrk when installed), autocannon or wrk',
      loadGenerator,
      'auto',
    )
    .option(
      '--soak <minutes>',
      'instead: run Gatehouse under steady load for N minutes and report memory over time',
      positiveNumber,
    )
    .option('--sample-interval <seconds>', 'soak: seconds between memory samples', positiveNumber, 5)
    .option('--out <dir>', 'where the JSON and markdown results go', 'bench/results')
    .option('--peers <dir>', 'where peer gateways are installed', join(packageRoot, 'bench', 'peers'))
    .option('--redis-url <url>', 'also measure Gatehouse with its state in Redis (default: $REDIS_URL)')
    .action(async (options: BenchCommandOptions) => {
      const bench = await import('../bench/index.js');
      const controller = new AbortController();
      const dependencies: BenchDependencies = {
        paths: {
          nodeBinary: environment.execPath,
          gatehouseMain: join(distDirectory, 'main.js'),
          bareProxyMain: join(distDirectory, 'bench', 'bare-proxy-main.js'),
          memoryReporter: join(distDirectory, 'bench', 'memory-reporter.js'),
          peersDirectory: resolve(environment.cwd, options.peers),
          baseEnvironment: Object.fromEntries(
            ['PATH', 'HOME'].flatMap((name) => {
              const value = environment.env[name];
              return value === undefined ? [] : [[name, value]];
            }),
          ),
        },
        stdout: environment.stdout,
        stderr: environment.stderr,
        // cli-progress needs the terminal stream itself (cursor moves); it draws nothing elsewhere.
        progress: bench.createProgressBar(environment.stderrStream),
        signal: controller.signal,
      };
      const outputDirectory = resolve(environment.cwd, options.out);
      const redisUrl = options.redisUrl ?? environment.env.REDIS_URL;
      const finished =
        options.soak === undefined
          ? bench.runBench(
              {
                durationSeconds: options.duration,
                rounds: options.rounds,
                modes: options.mode.filter((mode): mode is ModeName =>
                  (modeNames as readonly string[]).includes(mode),
                ),
                authorize: options.mode.includes('authorize'),
                guard: options.mode.includes('guard'),
                targets: options.targets,
                warmupSeconds: options.warmup,
                loadGenerator: options.loadGenerator,
                outputDirectory,
                ...(options.connections === undefined ? {} : { connections: options.connections }),
                ...(redisUrl === undefined || redisUrl === '' ? {} : { redisUrl }),
              },
              dependencies,
            )
          : bench.runSoakBench(
              {
                minutes: options.soak,
                sampleIntervalSeconds: options.sampleInterval,
                connections: options.connections ?? 10,
                outputDirectory,
              },
              dependencies,
            );
      environment.onShutdownSignal(async () => {
        controller.abort(new Error('interrupted'));
        await finished.catch(() => undefined);
      });
      try {
        await finished;
        setResult(exitCodes.ok);
      } catch (error) {
        const reason = controller.signal.aborted
          ? 'interrupted'
          : error instanceof Error
            ? error.message
            : String(error);
        environment.stderr(`gatehouse bench: ${reason}\n`);
        setResult(exitCodes.failure);
      }
    });
}
