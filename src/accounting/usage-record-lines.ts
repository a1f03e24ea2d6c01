import { recordsToLines, type LineCodec } from '../durable/index.js';
import type { UsageRecord } from './types.js';

/** Usage records on disk (spool and journal): one JSON object per line, undefined fields left out. */
export const usageLineCodec: LineCodec<UsageRecord> = {
  toLine: (record) => JSON.stringify(record),
  fromLine: (line) => usageRecordFromLine(line),
};

/** One record per line (NDJSON); fields that are undefined are left out. */
export function usageRecordsToLines(records: readonly UsageRecord[]): string {
  return recordsToLines(usageLineCodec, records);
}

function optionalString(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : null;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** A line written by `usageRecordsToLines`, checked field by field; undefined when it is not one. */
export function usageRecordFromLine(line: string): UsageRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const { requestId, keyId, model, cache, stream } = fields;
  const team = optionalString(fields.team);
  const provider = optionalString(fields.provider);
  const targetModel = optionalString(fields.targetModel);
  const errorCode = optionalString(fields.errorCode);
  const counts = [
    fields.timestamp,
    fields.inputTokens,
    fields.outputTokens,
    fields.cachedInputTokens,
    fields.costUsd,
    fields.savedCostUsd,
    fields.latencyMs,
    fields.status,
    fields.attempts,
  ];
  if (
    typeof requestId !== 'string' ||
    typeof keyId !== 'string' ||
    typeof model !== 'string' ||
    typeof stream !== 'boolean' ||
    (cache !== 'hit' && cache !== 'miss' && cache !== 'bypass') ||
    team === null ||
    provider === null ||
    targetModel === null ||
    errorCode === null ||
    !counts.every(isCount)
  ) {
    return undefined;
  }
  const [
    timestamp,
    inputTokens,
    outputTokens,
    cachedInputTokens,
    costUsd,
    savedCostUsd,
    latencyMs,
    status,
    attempts,
  ] = counts;
  return {
    ...(typeof fields.recordId === 'string' ? { recordId: fields.recordId } : {}),
    requestId,
    timestamp: timestamp ?? 0,
    keyId,
    team,
    model,
    provider,
    targetModel,
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    cachedInputTokens: cachedInputTokens ?? 0,
    costUsd: costUsd ?? 0,
    savedCostUsd: savedCostUsd ?? 0,
    latencyMs: latencyMs ?? 0,
    status: status ?? 0,
    attempts: attempts ?? 0,
    cache,
    stream,
    errorCode,
  };
}
