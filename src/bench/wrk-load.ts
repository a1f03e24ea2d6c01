import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load-result.js';
import type { Percentiles } from './statistics.js';

/**
 * Non-streaming load with wrk, when it is installed. wrk is written in C and costs a fraction of
 * the CPU autocannon does, which matters on a 2-core machine where the load generator, the mock and
 * the proxy share the cores; the peer figures in issue 3 were measured with it.
 */

/** What wrk sends: POSTs to one URL, cycling through the bodies (one body: always the same). */
export interface WrkRequests {
  /** The origin, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Single-line texts (JSON): they are handed to wrk one per line. */
  readonly bodies: readonly string[];
}

export interface WrkOptions {
  readonly requests: WrkRequests;
  readonly connections: number;
  readonly durationSeconds: number;
  /** A directory for wrk's Lua script and the request body. */
  readonly workDirectory: string;
  readonly signal?: AbortSignal;
}

/** Whether `wrk` runs here. */
export function wrkAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('wrk', ['--version'], { timeout: 2_000 }, (error, stdout, stderr) => {
      // wrk --version prints its banner and exits with status 1.
      resolve(`${stdout}${stderr}`.includes('wrk') || error === null);
    });
  });
}

/** A Lua string literal; JSON string escapes are valid Lua for the ASCII header values used here. */
function luaString(text: string): string {
  return JSON.stringify(text);
}

/**
 * The Lua script: headers set once; the bodies read from a file, one per line, and the requests
 * formatted once per thread in `init`, so cycling costs wrk a table lookup per request.
 */
export function wrkScript(bodyFile: string, headers: Readonly<Record<string, string>>): string {
  const lines = [
    'wrk.method = "POST"',
    ...Object.entries(headers).map(
      ([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`,
    ),
    'local requests = {}',
    'local next_index = 0',
    'function init(args)',
    `  for body in io.lines(${luaString(bodyFile)}) do`,
    '    requests[#requests + 1] = wrk.format(nil, nil, nil, body)',
    '  end',
    'end',
    'function request()',
    '  next_index = next_index % #requests + 1',
    '  return requests[next_index]',
    'end',
  ];
  return `${lines.join('\n')}\n`;
}

const unitMilliseconds: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function duration(text: string | undefined): number | undefined {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return Number(match[1]) * (unitMilliseconds[match[2]] ?? Number.NaN);
}

/** Reads wrk's report (run with --latency). */
export function parseWrkOutput(output: string): Omit<LoadResult, 'generator'> {
  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)/m.exec(output);
  if (total?.[1] === undefined) throw new Error(`could not read wrk's output:\n${output}`);
  const elapsedMilliseconds = duration(`${total[2] ?? ''}${total[3] ?? ''}`) ?? Number.NaN;
  const percentile = (name: string): number =>
    duration(new RegExp(`^\\s*${name}%\\s+(\\S+)`, 'm').exec(output)?.[1]) ?? Number.NaN;
  const latency: Percentiles = { p50: percentile('50'), p90: percentile('90'), p99: percentile('99') };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, count) => sum + Number(count), 0);
  const errors = non2xx + socketErrors;
  const requests = Number(total[1]);
  return {
    elapsedSeconds: elapsedMilliseconds / 1000,
    completed: requests - non2xx,
    errors,
    ...(errors === 0 ? {} : { firstError: `${non2xx} non-2xx responses, ${socketErrors} socket errors` }),
    latency,
  };
}

export function runWrk(options: WrkOptions): Promise<LoadResult> {
  const { requests } = options;
  if (requests.bodies.some((body) => body.includes('\n'))) throw new Error('wrk bodies must be single lines');
  const bodyFile = join(options.workDirectory, 'wrk-bodies.ndjson');
  const scriptFile = join(options.workDirectory, 'wrk-request.lua');
  writeFileSync(bodyFile, `${requests.bodies.join('\n')}\n`);
  writeFileSync(scriptFile, wrkScript(bodyFile, requests.headers));
  // One thread: on two cores, a second wrk thread takes a core from the proxy under test.
  const commandArguments = [
    '-t1',
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.durationSeconds))}s`,
    '--latency',
    '--timeout',
    '10s',
    '-s',
    scriptFile,
    `${requests.url}${requests.path}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      commandArguments,
      {
        timeout: (options.durationSeconds + 30) * 1000,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
          return;
        }
        try {
          resolve({ generator: 'wrk', ...parseWrkOutput(stdout) });
        } catch (parseError) {
          reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
        }
      },
    );
  });
}
