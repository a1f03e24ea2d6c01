/** Detection figures of a scored set at a threshold. */
export interface ScoredRow {
  readonly label: 0 | 1;
  readonly score: number;
  readonly kind: string;
}

export interface Figures {
  readonly positives: number;
  readonly negatives: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
  /** Recall at the best threshold whose false-positive rate on this set is at most 2 % (and 5 %). */
  readonly recallAtTwoPercent: number;
  readonly recallAtFivePercent: number;
}

export function figures(rows: readonly ScoredRow[], threshold: number): Figures {
  const positives = rows.filter((row) => row.label === 1);
  const negatives = rows.filter((row) => row.label === 0);
  const truePositives = positives.filter((row) => row.score >= threshold).length;
  const falsePositives = negatives.filter((row) => row.score >= threshold).length;
  return {
    positives: positives.length,
    negatives: negatives.length,
    truePositives,
    falsePositives,
    precision: truePositives + falsePositives === 0 ? 0 : truePositives / (truePositives + falsePositives),
    recall: positives.length === 0 ? 0 : truePositives / positives.length,
    falsePositiveRate: negatives.length === 0 ? 0 : falsePositives / negatives.length,
    recallAtTwoPercent: recallAtFalsePositiveRate(positives, negatives, 0.02),
    recallAtFivePercent: recallAtFalsePositiveRate(positives, negatives, 0.05),
  };
}

function recallAtFalsePositiveRate(
  positives: readonly ScoredRow[],
  negatives: readonly ScoredRow[],
  rate: number,
): number {
  if (positives.length === 0) return 0;
  const allowed = Math.floor(negatives.length * rate);
  const negativeScores = negatives.map((row) => row.score).sort((left, right) => right - left);
  // Strictly above the first negative that would exceed the allowance.
  const bar = negativeScores[allowed];
  const caught = positives.filter((row) => (bar === undefined ? true : row.score > bar)).length;
  return caught / positives.length;
}

const percent = (value: number): string => value.toFixed(3);

export function figuresLine(name: string, result: Figures): string {
  const parts = [
    name.padEnd(40),
    `n+ ${String(result.positives).padStart(4)}`,
    `n- ${String(result.negatives).padStart(4)}`,
    result.positives > 0 ? `recall ${percent(result.recall)}` : 'recall   -  ',
    result.negatives > 0 ? `FPR ${percent(result.falsePositiveRate)}` : 'FPR   -  ',
    result.positives > 0 && result.negatives > 0
      ? `precision ${percent(result.precision)}`
      : 'precision   -  ',
    result.positives > 0 && result.negatives > 0
      ? `recall@2%FPR ${percent(result.recallAtTwoPercent)}  recall@5%FPR ${percent(result.recallAtFivePercent)}`
      : '',
  ];
  return parts.join('  ').trimEnd();
}

/** One line for the whole set, then one per kind (recall for attack kinds, FPR for benign ones). */
export function figuresTable(name: string, rows: readonly ScoredRow[], threshold: number): string[] {
  const lines = [figuresLine(name, figures(rows, threshold))];
  const kinds = [...new Set(rows.map((row) => row.kind))].sort();
  if (kinds.length > 1) {
    for (const kind of kinds) {
      lines.push(
        figuresLine(
          `  ${kind}`,
          figures(
            rows.filter((row) => row.kind === kind),
            threshold,
          ),
        ),
      );
    }
  }
  return lines;
}
