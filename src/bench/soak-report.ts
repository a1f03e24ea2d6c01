import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineDescription } from './bench-report.js';
import type { SoakResult } from './soak.js';

/** The soak's report: a few lines of text (terminal and markdown alike) and the samples as JSON. */

export interface SoakReport {
  readonly startedAt: string;
  readonly machine: MachineDescription;
  readonly result: SoakResult;
}

const megabyte = 1024 * 1024;

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? 'unavailable' : `${(bytes / megabyte).toFixed(1)} MB`;
}

function perHour(value: number | undefined): string {
  return value === undefined ? 'unavailable' : `${value >= 0 ? '+' : ''}${value.toFixed(2)} MB/hour`;
}

export function renderSoak(report: SoakReport): string {
  const { result } = report;
  const first = result.samples[0];
  const last = result.samples.at(-1);
  const settled = result.samples.find((sample) => sample.seconds >= result.settleSeconds);
  const peak = Math.max(...result.samples.map((sample) => sample.rssBytes));
  const hours = (last?.seconds ?? 0) / 3600;
  const requestsPerHour = hours > 0 ? result.completed / hours : 0;
  const bytesPerThousand =
    result.rssSlopeMegabytesPerHour === undefined || requestsPerHour === 0
      ? undefined
      : (result.rssSlopeMegabytesPerHour * megabyte * 1000) / requestsPerHour;
  const lines = [
    `Soak ${report.startedAt}: Gatehouse, ${result.minutes} min, ${result.connections} connections, ` +
      `non-streaming and streaming alternating; ${result.completed.toLocaleString('en-US')} requests, ${result.errors} errors` +
      `${result.firstError === undefined ? '' : ` (${result.firstError})`}.`,
    `RSS: start ${megabytes(first?.rssBytes)}, after settling (${Math.round(result.settleSeconds)} s) ` +
      `${megabytes(settled?.rssBytes)}, end ${megabytes(last?.rssBytes)}, peak ${megabytes(peak)}; ` +
      `slope after settling ${perHour(result.rssSlopeMegabytesPerHour)}` +
      `${bytesPerThousand === undefined ? '' : ` (${bytesPerThousand.toFixed(0)} bytes per 1,000 requests)`}.`,
    `V8 heap used (sampled, a sawtooth between collections): start ${megabytes(first?.heapUsedBytes)}, ` +
      `end ${megabytes(last?.heapUsedBytes)}; slope after settling ${perHour(result.heapSlopeMegabytesPerHour)}.`,
    `V8 heap committed (heapTotal): start ${megabytes(first?.heapTotalBytes)}, end ${megabytes(last?.heapTotalBytes)}.`,
    `V8 heap after the latest full collection (the floor a leak raises): ` +
      `after settling ${megabytes(settled?.heapAfterFullCollectionBytes)}, end ${megabytes(last?.heapAfterFullCollectionBytes)}; ` +
      `slope after settling ${perHour(result.heapFloorSlopeMegabytesPerHour)}.`,
    `Machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node.js ${report.machine.node}.`,
  ];
  return `${lines.join('\n')}\n`;
}

export function writeSoakReport(report: SoakReport, directory: string): { json: string; markdown: string } {
  mkdirSync(directory, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const files = {
    json: join(directory, `soak-${stamp}.json`),
    markdown: join(directory, `soak-${stamp}.md`),
  };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    files.markdown,
    `# Soak ${report.startedAt}\n\n${renderSoak(report).replaceAll('\n', '  \n')}`,
  );
  return files;
}
