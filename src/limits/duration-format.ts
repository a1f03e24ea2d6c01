/**
 * Durations as OpenAI writes them in `x-ratelimit-reset-*` (Go's `time.Duration` format):
 * `250ms`, `12s`, `12.5s`, `1m0s`, `6m0s`, `1h2m3s`. Millisecond precision, rounded up so that a
 * client waiting that long is never early.
 */
export function formatDuration(milliseconds: number): string {
  const total = Math.ceil(Math.max(0, milliseconds));
  if (total === 0) return '0s';
  if (total < 1_000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = formatSeconds(total % 60_000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function formatSeconds(milliseconds: number): string {
  const whole = Math.floor(milliseconds / 1_000);
  const fraction = milliseconds % 1_000;
  if (fraction === 0) return String(whole);
  return `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

/** `retry-after` in whole seconds (RFC 9110 delay-seconds), at least 1 so clients do not spin. */
export function retryAfterSeconds(milliseconds: number): number {
  return Math.max(1, Math.ceil(milliseconds / 1_000));
}
