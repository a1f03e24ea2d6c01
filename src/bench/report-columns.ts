import type { ModeName } from './bench-options.js';
import type { AddedLatency, TargetSummary } from './bench-summary.js';
import type { Percentiles } from './statistics.js';

/** The columns of each mode's table, shared by the terminal and the markdown renderings. */

export interface Column {
  readonly header: string;
  readonly cell: (summary: TargetSummary) => string;
}

const megabyte = 1024 * 1024;
const none = '–';

export function formatMilliseconds(value: number): string {
  const digits = Math.abs(value) < 1 ? 3 : Math.abs(value) < 100 ? 2 : 0;
  return value.toFixed(digits);
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${formatMilliseconds(Math.abs(value))}`;
}

function pair(values: Percentiles | undefined): string {
  return values === undefined
    ? none
    : `${formatMilliseconds(values.p50)} / ${formatMilliseconds(values.p99)}`;
}

function addedPair(values: AddedLatency | undefined): string {
  return values === undefined ? none : `${signed(values.p50)} / ${signed(values.p99)}`;
}

function ratio(value: number | undefined): string {
  return value === undefined ? none : `${value.toFixed(2)}×`;
}

function rate(summary: TargetSummary): string {
  const value = Math.round(summary.requestsPerSecond).toLocaleString('en-US');
  const spreadText =
    summary.requestsPerSecondSpread === undefined
      ? ''
      : ` ±${Math.round(summary.requestsPerSecondSpread * 100)}%`;
  return `${value}${spreadText}`;
}

function cpu(summary: TargetSummary): string {
  const value = summary.proxyCpuMillisecondsPer1000;
  return value === undefined ? none : value.toFixed(value < 100 ? 1 : 0);
}

function memory(summary: TargetSummary): string {
  if (summary.rssAfterBytes === undefined) return none;
  const after = Math.round(summary.rssAfterBytes / megabyte);
  return summary.idleRssBytes === undefined
    ? `${after}`
    : `${Math.round(summary.idleRssBytes / megabyte)} → ${after}`;
}

function errors(summary: TargetSummary): string {
  return summary.errors === 0 ? '0' : `${summary.errors} (${summary.firstError ?? 'unknown'})`;
}

const target: Column = { header: 'target', cell: (summary) => summary.label };
const requestsPerSecond: Column = { header: 'requests/s', cell: rate };
const versusBareRate: Column = {
  header: '× bare',
  cell: (summary) => ratio(summary.versusBare?.requestsPerSecondRatio),
};
const cpuColumn: Column = { header: 'CPU ms / 1k req', cell: cpu };
const versusBareCpu: Column = {
  header: 'CPU × bare',
  cell: (summary) => ratio(summary.versusBare?.cpuRatio),
};
const rss: Column = { header: 'RSS MB idle → after', cell: memory };
const errorColumn: Column = { header: 'errors', cell: errors };

export const columnsByMode: Readonly<Record<ModeName, readonly Column[]>> = {
  'non-streaming': [
    target,
    requestsPerSecond,
    versusBareRate,
    {
      header: 'p50 ms',
      cell: (summary) => (summary.latency === undefined ? none : formatMilliseconds(summary.latency.p50)),
    },
    {
      header: 'p90 ms',
      cell: (summary) => (summary.latency === undefined ? none : formatMilliseconds(summary.latency.p90)),
    },
    {
      header: 'p99 ms',
      cell: (summary) => (summary.latency === undefined ? none : formatMilliseconds(summary.latency.p99)),
    },
    { header: 'added vs direct p50 / p99', cell: (summary) => addedPair(summary.versusDirect?.addedLatency) },
    { header: 'added vs bare p50 / p99', cell: (summary) => addedPair(summary.versusBare?.addedLatency) },
    cpuColumn,
    versusBareCpu,
    rss,
    errorColumn,
  ],
  streaming: [
    target,
    requestsPerSecond,
    versusBareRate,
    { header: 'first byte p50 / p99', cell: (summary) => pair(summary.firstByte) },
    { header: 'last byte p50 / p99', cell: (summary) => pair(summary.lastByte) },
    { header: 'first byte added vs bare', cell: (summary) => addedPair(summary.versusBare?.addedFirstByte) },
    { header: 'last byte added vs bare', cell: (summary) => addedPair(summary.versusBare?.addedLastByte) },
    cpuColumn,
    versusBareCpu,
    rss,
    errorColumn,
  ],
  'cache-hit': [
    target,
    { header: 'p50 / p99 ms', cell: (summary) => pair(summary.latency) },
    { header: 'added vs direct', cell: (summary) => addedPair(summary.versusDirect?.addedLatency) },
    cpuColumn,
    errorColumn,
  ],
  sequential: [
    target,
    { header: 'p50 / p99 ms', cell: (summary) => pair(summary.latency) },
    { header: 'added vs direct', cell: (summary) => addedPair(summary.versusDirect?.addedLatency) },
    { header: 'added vs bare', cell: (summary) => addedPair(summary.versusBare?.addedLatency) },
    { header: 'stream first byte p50 / p99', cell: (summary) => pair(summary.firstByte) },
    {
      header: 'first byte added vs direct',
      cell: (summary) => addedPair(summary.versusDirect?.addedFirstByte),
    },
    { header: 'first byte added vs bare', cell: (summary) => addedPair(summary.versusBare?.addedFirstByte) },
    cpuColumn,
    errorColumn,
  ],
};

export const modeTitles: Readonly<Record<ModeName, string>> = {
  'cache-hit':
    'Cache hits (one connection, one cacheable request repeated: gatehouse answers from L1, gatehouse-redis from L2)',
  'non-streaming': 'Non-streaming',
  streaming: 'Streaming',
  sequential: 'Sequential (one connection, non-streaming and streaming requests alternating)',
};
