import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import { describeAuthorizeBench, type AuthorizeBenchResult } from './authorize-bench.js';
import type { ModeName, TargetName } from './bench-options.js';
import type { Measurement } from './bench-runner.js';
import type { TargetSummary } from './bench-summary.js';
import type { GoalResult } from './goals.js';
import { describeGuardBench, type GuardBenchResult } from './guard-bench.js';
import { columnsByMode, modeTitles } from './report-columns.js';

/** The run's report: printed as tables, written as JSON and markdown. */

export interface MachineDescription {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly clockTicks: number;
  /** 1-minute load average when the run started: other work on the machine lowers every figure. */
  readonly loadAverage: number;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineDescription;
  readonly settings: {
    readonly durationSeconds: number;
    readonly rounds: number;
    readonly warmupSeconds: number;
    readonly modes: readonly ModeName[];
    readonly connections: Readonly<Partial<Record<ModeName, number>>>;
    /** What drove the non-streaming mode; the other modes use the undici client. */
    readonly nonStreamingLoadGenerator: string;
  };
  readonly eventsPerStream: Readonly<Partial<Record<TargetName, number>>>;
  readonly skipped: readonly { readonly name: TargetName; readonly reason: string }[];
  readonly summaries: readonly TargetSummary[];
  readonly goals: readonly GoalResult[];
  /** The `authorize` mode's figures, when it ran. */
  readonly authorize?: AuthorizeBenchResult;
  /** The `guard` mode's figures, when it ran. */
  readonly guard?: GuardBenchResult;
  readonly measurements: readonly Measurement[];
}

function rowsOf(report: BenchReport, mode: ModeName): string[][] {
  const columns = columnsByMode[mode];
  return report.summaries
    .filter((summary) => summary.mode === mode)
    .map((summary) => columns.map((column) => column.cell(summary)));
}

function goalCell(goal: GoalResult): string {
  return goal.met === undefined ? 'not measured' : goal.met ? 'met' : 'NOT MET';
}

function describeRun(report: BenchReport): string {
  const { settings, machine } = report;
  const connections = settings.modes.map((mode) => `${mode} ${settings.connections[mode] ?? '?'}`).join(', ');
  const events = Object.entries(report.eventsPerStream)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return [
    `${report.startedAt}: ${settings.rounds} rounds × ${settings.durationSeconds} s per target and mode, ` +
      `warm-up ${settings.warmupSeconds} s; connections: ${connections}.`,
    `Non-streaming load: ${settings.nonStreamingLoadGenerator}; streaming and sequential: undici client loop. ` +
      `Events per stream: ${events}.`,
    `Machine: ${machine.cpus} × ${machine.cpuModel}, Node.js ${machine.node}, ${machine.platform}, ` +
      `load average ${machine.loadAverage.toFixed(2)} at the start.`,
    ...report.skipped.map((skip) => `Not measured: ${skip.name}, ${skip.reason}.`),
    ...(machine.loadAverage > machine.cpus / 2
      ? [
          'The machine was busy when the run started: absolute figures are low and the rounds disagree; ' +
            'compare ratios inside this run only, and rerun on a quiet machine before judging a target.',
        ]
      : []),
  ].join('\n');
}

export function renderTerminal(report: BenchReport): string {
  const sections: string[] = [describeRun(report)];
  for (const mode of report.settings.modes) {
    const table = new Table({
      head: columnsByMode[mode].map((column) => column.header),
      style: { head: [], border: [] },
    });
    table.push(...rowsOf(report, mode));
    sections.push(`${modeTitles[mode]}\n${table.toString()}`);
  }
  if (report.authorize !== undefined) {
    sections.push(`Agent authorization\n${describeAuthorizeBench(report.authorize).join('\n')}`);
  }
  if (report.guard !== undefined) {
    sections.push(`Guard\n${describeGuardBench(report.guard).join('\n')}`);
  }
  const goals = new Table({ head: ['target', 'measured', ''], style: { head: [], border: [] } });
  goals.push(...report.goals.map((goal) => [goal.goal, goal.measured, goalCell(goal)]));
  sections.push(`Targets\n${goals.toString()}`);
  return `${sections.join('\n\n')}\n`;
}

function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const sections: string[] = [
    `# Benchmark ${report.startedAt}`,
    describeRun(report).replaceAll('\n', '  \n'),
  ];
  for (const mode of report.settings.modes) {
    sections.push(
      `## ${modeTitles[mode]}`,
      markdownTable(
        columnsByMode[mode].map((column) => column.header),
        rowsOf(report, mode),
      ),
    );
  }
  if (report.authorize !== undefined) {
    sections.push('## Agent authorization', describeAuthorizeBench(report.authorize).join('  \n'));
  }
  if (report.guard !== undefined) {
    sections.push('## Guard', describeGuardBench(report.guard).join('  \n'));
  }
  sections.push(
    '## Targets',
    markdownTable(
      ['target', 'measured', ''],
      report.goals.map((goal) => [goal.goal, goal.measured, goalCell(goal)]),
    ),
  );
  return `${sections.join('\n\n')}\n`;
}

/** Writes `bench-<time>.json` and `.md`, and the same as `latest.json` / `latest.md`. */
export function writeReport(report: BenchReport, directory: string): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const markdown = renderMarkdown(report);
  const files = {
    json: join(directory, `bench-${stamp}.json`),
    markdown: join(directory, `bench-${stamp}.md`),
  };
  writeFileSync(files.json, json);
  writeFileSync(files.markdown, markdown);
  writeFileSync(join(directory, 'latest.json'), json);
  writeFileSync(join(directory, 'latest.md'), markdown);
  return files;
}
