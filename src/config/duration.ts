import { z } from 'zod';

/**
 * Durations as Lelu writes its settings: Go's syntax (`500ms`, `30s`, `1m30s`, `2h`) plus whole
 * days for windows of history (`30d`, `1d12h`). A bare number is refused: it does not say its unit.
 */

const durationUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds, or undefined for text that is no duration with units. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!durationPattern.test(trimmed)) return undefined;
  let milliseconds = 0;
  for (const [, amount = '0', unit = 's'] of trimmed.matchAll(durationPart)) {
    milliseconds += Number(amount) * (durationUnits[unit] ?? 1_000);
  }
  return Math.round(milliseconds);
}

/**
 * A setting holding a duration between `lowestMs` and `highestMs` (shown to people as `shown`),
 * converted to milliseconds; anything else is a configuration problem that names the examples.
 */
export function durationBetween(lowestMs: number, highestMs: number, shown: string, examples: string) {
  return z.union([z.string(), z.number()]).transform((value, context) => {
    const milliseconds = typeof value === 'string' ? parseDuration(value) : undefined;
    if (milliseconds === undefined || milliseconds < lowestMs || milliseconds > highestMs) {
      context.addIssue({
        code: 'custom',
        message: `expected a duration with its unit between ${shown}, like ${examples}; got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return milliseconds;
  });
}
