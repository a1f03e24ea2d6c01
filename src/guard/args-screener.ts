import type { GuardEvents, GuardObserver } from './guard-events.js';
import type { InjectionSettings } from './injection-settings.js';
import type { Scorer } from './scoring.js';

/**
 * The guard behind governance's args screening seam (`ArgsScreener`, passed in by the composition
 * root): every string of an agent's `action`, `resource` and `args`, object keys included, scored
 * as `args`. A detection at `routes.agent_authorize.action: block` is a deny with Lelu's reason
 * (`prompt injection detected in <field>`); at `log` it is only recorded.
 */

/** The request's free text, by wire field (governance's ScreenedFields). */
export type ScreenedFields = Readonly<Record<string, unknown>>;

/** Governance's ScreenVerdict, declared here so the guard imports no other feature. */
export type ArgsVerdict =
  | { readonly detected: false }
  | {
      readonly detected: true;
      readonly field: string;
      readonly pattern?: string | undefined;
      /** Replaces the detection wording (a failed check refused under `fail_mode: closed`). */
      readonly reason?: string | undefined;
    };

export interface ArgsScreenerDependencies {
  readonly settings: InjectionSettings;
  readonly scorer: Scorer;
  readonly method: string;
  readonly events: GuardEvents;
  readonly observer: GuardObserver;
  readonly elapsed: () => number;
}

const nothingDetected: ArgsVerdict = Object.freeze({ detected: false });
const screeningFailed: ArgsVerdict = Object.freeze({
  detected: true,
  field: 'args',
  reason:
    'prompt injection screening failed and refuses what it cannot check (guard.injection.fail_mode: closed)',
});

function memberPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

interface Hit {
  readonly field: string;
  readonly score: number;
  readonly pattern: string | undefined;
}

export function createArgsScreener(
  dependencies: ArgsScreenerDependencies,
): (fields: ScreenedFields) => ArgsVerdict {
  const { settings, scorer, events, observer, elapsed } = dependencies;
  const { action, threshold } = settings.agentAuthorize;
  if (!settings.enabled || action === 'off') return () => nothingDetected;

  /**
   * Every string in the fields, walked iteratively (the validator bounds size and depth; a loop
   * cannot overflow the stack whatever it is given), the first field first (`action`, as Lelu).
   */
  function firstHit(fields: ScreenedFields): Hit | undefined {
    let highest = -1;
    const score = (text: string, field: string): Hit | undefined => {
      const scored = scorer(text, 'args');
      highest = Math.max(highest, scored.score);
      return scored.score >= threshold ? { field, score: scored.score, pattern: scored.pattern } : undefined;
    };
    const pending: { value: unknown; path: string }[] = Object.keys(fields)
      .map((key) => ({ value: fields[key], path: key }))
      .reverse();
    let hit: Hit | undefined;
    for (let item = pending.pop(); item !== undefined && hit === undefined; item = pending.pop()) {
      const { value, path } = item;
      if (typeof value === 'string') {
        if (value !== '') hit = score(value, path);
      } else if (Array.isArray(value)) {
        for (let index = value.length - 1; index >= 0; index -= 1)
          pending.push({ value: value[index], path: `${path}[${index}]` });
      } else if (typeof value === 'object' && value !== null) {
        const entries = Object.entries(value);
        for (const [key] of entries) {
          hit = score(key, memberPath(path, key));
          if (hit !== undefined) break;
        }
        for (let index = entries.length - 1; index >= 0; index -= 1) {
          const [key, member] = entries[index] as [string, unknown];
          pending.push({ value: member, path: memberPath(path, key) });
        }
      }
    }
    if (highest >= 0) observer.guardScored('args', highest);
    return hit;
  }

  return (fields) => {
    const started = elapsed();
    let hit: Hit | undefined;
    try {
      hit = firstHit(fields);
    } catch (error) {
      events.failed('args', settings.failMode, error);
      return settings.failMode === 'open' ? nothingDetected : screeningFailed;
    } finally {
      observer.guardScanned('args', Math.max(0, elapsed() - started) / 1000);
    }
    if (hit === undefined) return nothingDetected;
    events.detected({
      check: 'args',
      source: 'args',
      action,
      score: hit.score,
      field: hit.field,
      pattern: hit.pattern,
      method: dependencies.method,
      context: { route: '/v1/agent/authorize' },
    });
    return action === 'block'
      ? { detected: true, field: hit.field, ...(hit.pattern === undefined ? {} : { pattern: hit.pattern }) }
      : nothingDetected;
  };
}
