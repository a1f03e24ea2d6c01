/** The value that stands for every label value refused once a label's budget is spent. */
export const otherLabelValue = 'other';

/**
 * Keeps one label's cardinality bounded. Every distinct value becomes a time series in every
 * metric that carries the label, so a caller who sends random model names (or a bug that puts an
 * id in a label) could otherwise grow the scrape and Prometheus's memory without limit.
 *
 * Known values (configured models, issued keys) always pass. Other values pass while fewer than
 * `budget` distinct values have been seen; after that they fold into `other`. A value admitted
 * once stays admitted, so a series never changes its label halfway through its life.
 */
export interface LabelGuard {
  value(candidate: string): string;
  /** Distinct values admitted so far (known ones included). */
  readonly size: number;
}

export interface LabelGuardSettings {
  readonly budget: number;
  /** Values that always pass. Consulted only for values not admitted yet, never per request. */
  readonly known?: Iterable<string> | (() => Iterable<string>);
}

export function createLabelGuard(settings: LabelGuardSettings): LabelGuard {
  const { budget, known } = settings;
  const admitted = new Set<string>();
  const isKnown = knownTest(known);
  return {
    value(candidate) {
      if (admitted.has(candidate)) return candidate;
      if (admitted.size < budget || isKnown(candidate)) {
        admitted.add(candidate);
        return candidate;
      }
      return otherLabelValue;
    },
    get size() {
      return admitted.size;
    },
  };
}

function knownTest(known: LabelGuardSettings['known']): (candidate: string) => boolean {
  if (known === undefined) return () => false;
  if (typeof known !== 'function') {
    const values = new Set(known);
    return (candidate) => values.has(candidate);
  }
  // A live source (keys are issued while the gateway runs): asked again for each value not yet
  // admitted, which after the first request of each key happens only for unknown values.
  return (candidate) => {
    const values = known();
    if (values instanceof Set) return (values as ReadonlySet<string>).has(candidate);
    for (const value of values) if (value === candidate) return true;
    return false;
  };
}
