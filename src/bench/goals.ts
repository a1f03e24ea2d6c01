import type { ModeName, TargetName } from './bench-options.js';
import type { TargetSummary } from './bench-summary.js';

/**
 * The targets of issue 3, checked against one run. A goal whose figures the run did not measure
 * (no Portkey installed, no Redis, a mode left out) is reported as not measured, never as met.
 */

export interface GoalResult {
  readonly goal: string;
  readonly measured: string;
  /** undefined: this run did not measure it. */
  readonly met: boolean | undefined;
}

const megabyte = 1024 * 1024;

function find(summaries: readonly TargetSummary[], mode: ModeName, target: TargetName) {
  return summaries.find((summary) => summary.mode === mode && summary.target === target);
}

function times(value: number): string {
  return `${value.toFixed(2)}×`;
}

function milliseconds(value: number): string {
  return `${value.toFixed(3)} ms`;
}

function atLeast(goal: string, value: number | undefined, bound: number): GoalResult {
  return value === undefined
    ? { goal, measured: 'not measured', met: undefined }
    : { goal, measured: times(value), met: value >= bound };
}

function atMost(goal: string, value: number | undefined, bound: number, format: (value: number) => string) {
  return value === undefined
    ? { goal, measured: 'not measured', met: undefined }
    : { goal, measured: format(value), met: value <= bound };
}

export function checkGoals(summaries: readonly TargetSummary[]): GoalResult[] {
  const gatehouse = (mode: ModeName) => find(summaries, mode, 'gatehouse');
  const nonStreaming = gatehouse('non-streaming');
  const portkey = find(summaries, 'non-streaming', 'portkey');
  const sequential = gatehouse('sequential');
  const redis = find(summaries, 'non-streaming', 'gatehouse-redis');
  const rssAfter = summaries
    .filter((summary) => summary.target === 'gatehouse' && summary.rssAfterBytes !== undefined)
    .map((summary) => (summary.rssAfterBytes ?? 0) / megabyte);
  const portkeyRatio =
    nonStreaming === undefined || portkey === undefined || portkey.requestsPerSecond === 0
      ? undefined
      : nonStreaming.requestsPerSecond / portkey.requestsPerSecond;
  return [
    atLeast(
      'non-streaming requests/s ≥ 0.60× bare proxy',
      nonStreaming?.versusBare?.requestsPerSecondRatio,
      0.6,
    ),
    atMost('non-streaming CPU per request ≤ 1.7× bare proxy', nonStreaming?.versusBare?.cpuRatio, 1.7, times),
    atLeast('non-streaming requests/s ≥ 10× Portkey', portkeyRatio, 10),
    atLeast(
      'streaming requests/s ≥ 0.70× bare proxy',
      gatehouse('streaming')?.versusBare?.requestsPerSecondRatio,
      0.7,
    ),
    atMost(
      'sequential added p50 over bare proxy ≤ 0.15 ms',
      sequential?.versusBare?.addedLatency?.p50,
      0.15,
      milliseconds,
    ),
    atMost(
      'sequential added p99 over bare proxy ≤ 1 ms',
      sequential?.versusBare?.addedLatency?.p99,
      1,
      milliseconds,
    ),
    atMost(
      'sequential streaming first byte added p50 ≤ 0.15 ms',
      sequential?.versusBare?.addedFirstByte?.p50,
      0.15,
      milliseconds,
    ),
    atMost(
      'sequential streaming first byte added p99 ≤ 1 ms',
      sequential?.versusBare?.addedFirstByte?.p99,
      1,
      milliseconds,
    ),
    atLeast(
      'Redis-backed state: requests/s ≥ 0.50× bare proxy',
      redis?.versusBare?.requestsPerSecondRatio,
      0.5,
    ),
    atMost(
      'RSS after load < 200 MB',
      rssAfter.length === 0 ? undefined : Math.max(...rssAfter),
      199.999,
      (value) => `${value.toFixed(0)} MB`,
    ),
  ];
}
