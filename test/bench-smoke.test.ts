import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { BenchOptions } from '../src/bench/bench-options.js';
import { modeNames, runBench, silentProgress } from '../src/bench/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * A very short run of the whole harness: every mode against the direct call, the bare proxy and
 * the gateway, each in its own process. It proves the harness runs and produces its table; it
 * asserts no timing (performance is the benchmark's business, never the test suite's).
 */
const paths = {
  nodeBinary: process.execPath,
  gatehouseMain: join(root, 'dist', 'main.js'),
  bareProxyMain: join(root, 'dist', 'bench', 'bare-proxy-main.js'),
  memoryReporter: join(root, 'dist', 'bench', 'memory-reporter.js'),
  peersDirectory: join(root, 'bench', 'peers'),
  baseEnvironment: { PATH: process.env.PATH ?? '' },
};

/** One short run of the bench against direct, bare and gatehouse, its output kept in memory. */
async function smokeRun(
  selection: Pick<BenchOptions, 'modes' | 'authorize' | 'guard'>,
  loadGenerator: BenchOptions['loadGenerator'] = 'autocannon',
) {
  const outputDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-bench-smoke-'));
  onTestFinished(() => rmSync(outputDirectory, { recursive: true, force: true }));
  let stdout = '';
  let stderr = '';
  const { report, files } = await runBench(
    {
      durationSeconds: 1,
      rounds: 1,
      ...selection,
      targets: ['direct', 'bare', 'gatehouse'],
      warmupSeconds: 0,
      loadGenerator,
      outputDirectory,
    },
    {
      paths,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      progress: silentProgress,
      signal: new AbortController().signal,
    },
  );
  return { report, files, stdout, stderr, outputDirectory };
}

describe('gatehouse bench', () => {
  it(
    'runs every mode against direct, bare and gatehouse and writes its tables',
    { timeout: 90_000 },
    async () => {
      const { report, files, stdout, stderr, outputDirectory } = await smokeRun({ modes: modeNames });

      expect(report.summaries.map((summary) => `${summary.mode} ${summary.target}`)).toEqual(
        modeNames.flatMap((mode) => ['direct', 'bare', 'gatehouse'].map((target) => `${mode} ${target}`)),
      );
      for (const summary of report.summaries) {
        expect(summary.completed, `${summary.mode} ${summary.target}`).toBeGreaterThan(0);
        expect(summary.errors, `${summary.mode} ${summary.target}: ${summary.firstError ?? ''}`).toBe(0);
      }
      const gatehouse = report.summaries.find(
        (summary) => summary.mode === 'non-streaming' && summary.target === 'gatehouse',
      );
      expect(gatehouse?.versusBare?.requestsPerSecondRatio).toBeGreaterThan(0);
      expect(gatehouse?.proxyCpuMillisecondsPer1000).toBeGreaterThan(0);
      expect(gatehouse?.rssAfterBytes).toBeGreaterThan(0);
      expect(report.eventsPerStream.gatehouse).toBeGreaterThan(10);
      expect(stdout).toMatch(/Non-streaming[\s\S]*Gatehouse[\s\S]*Streaming[\s\S]*Sequential/);
      expect(readFileSync(files.markdown, 'utf8')).toContain('| Gatehouse |');
      expect(JSON.parse(readFileSync(files.json, 'utf8'))).toMatchObject({ settings: { rounds: 1 } });
      expect(existsSync(join(outputDirectory, 'latest.md'))).toBe(true);
      expect(stderr).not.toContain('logs are kept');
    },
  );

  it(
    'runs the authorize mode alone: the engine in process and the route over HTTP (wrk), with its targets',
    { timeout: 60_000 },
    async () => {
      // CI installs wrk (.ci/run); `--load-generator wrk` fails loudly where it is missing.
      const { report, files, stdout, stderr } = await smokeRun({ modes: [], authorize: true }, 'wrk');

      expect(report.summaries).toEqual([]);
      const engine = report.authorize?.engine;
      expect(engine?.decisions).toBeGreaterThan(0);
      // The workload exercises permits, review permits and forbids of the 100-rule policy.
      expect(Object.keys(engine?.decisionCounts ?? {}).sort()).toEqual(['allow', 'deny', 'human_review']);
      const http = report.authorize?.http;
      expect(http?.type, stderr).toBe('measured');
      if (http?.type === 'measured') {
        expect(http.sequential.decisions).toBeGreaterThan(0);
        expect(http.sequential.errors, http.sequential.firstError).toBe(0);
        expect(http.concurrent.generator).toBe('wrk');
        expect(http.concurrent.decisions).toBeGreaterThan(0);
        expect(http.concurrent.errors, http.concurrent.firstError).toBe(0);
        expect(http.concurrent.gatewayCpuMsPer1000).toBeGreaterThan(0);
        // The same load on a gateway with the audit log off, for what the audit costs.
        expect(http.auditOff?.decisions).toBeGreaterThan(0);
        expect(http.auditOff?.errors, http.auditOff?.firstError).toBe(0);
      }
      expect(report.goals.map((goal) => goal.goal)).toEqual([
        'authorize: engine alone p99 ≤ 0.5 ms (100-rule policy)',
        'authorize: HTTP sequential added p99 over GET /health ≤ 2 ms',
        'authorize: ≥ 5,000 decisions/s at 50 connections',
        'authorize: audit on costs ≤ 10 % decisions/s against audit off',
      ]);
      expect(report.goals.every((goal) => goal.met !== undefined)).toBe(true);
      expect(stdout).toMatch(/Agent authorization[\s\S]*Engine alone[\s\S]*Over HTTP, sequential/);
      expect(readFileSync(files.markdown, 'utf8')).toContain('## Agent authorization');
    },
  );

  it(
    'runs the guard mode alone: chat throughput with prompt-injection detection on and off',
    { timeout: 60_000 },
    async () => {
      const { report, files, stdout, stderr } = await smokeRun({ modes: [], guard: true });

      expect(report.summaries).toEqual([]);
      const guard = report.guard;
      expect(guard?.type, stderr).toBe('measured');
      if (guard?.type === 'measured') {
        for (const run of [guard.on, guard.off]) {
          expect(run.completed).toBeGreaterThan(0);
          expect(run.errors, run.firstError).toBe(0);
          expect(run.connections).toBe(50);
          expect(run.gatewayCpuMsPer1000).toBeGreaterThan(0);
        }
      }
      expect(stdout).toMatch(/Guard\n[\s\S]*Guard on[\s\S]*Guard off[\s\S]*The guard costs/);
      expect(readFileSync(files.markdown, 'utf8')).toContain('## Guard');
    },
  );
});
