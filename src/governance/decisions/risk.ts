import type { DecisionKind } from '../contract.js';
import type { ActionEntry } from '../governance-settings.js';

/**
 * Risk, Lelu's baseline: min(1, criticality × (1 − confidence) × (1 + (1 − reliability)) ×
 * anomaly factor), banded by the action's criticality class: the more critical the action, the
 * less risk it may carry before it needs review, a downgrade or a denial.
 */

export type CriticalityClass = 'high' | 'mid' | 'low';
export type CriticalitySource = 'catalog' | 'keyword' | 'default';

export interface RiskAssessment {
  readonly score: number;
  readonly criticality: number;
  readonly criticalitySource: CriticalitySource;
  readonly criticalityClass: CriticalityClass;
  readonly reliability: number;
  readonly anomalyFactor: number;
  readonly kind: DecisionKind;
  readonly reason: string;
}

/** Upper bounds of risk for allow, review and read-only; above the last is deny (Lelu's defaults). */
interface RiskBand {
  readonly allow: number;
  readonly review: number;
  readonly readOnly: number;
}

export const riskBands: Readonly<Record<CriticalityClass, RiskBand>> = Object.freeze({
  high: { allow: 0.08, review: 0.22, readOnly: 0.4 },
  mid: { allow: 0.15, review: 0.35, readOnly: 0.55 },
  low: { allow: 0.3, review: 0.55, readOnly: 0.75 },
});

/** Lelu's class boundaries: criticality ≥ 0.8 is high, ≥ 0.5 mid, below that low. */
export function criticalityClass(criticality: number): CriticalityClass {
  if (criticality >= 0.8) return 'high';
  if (criticality >= 0.5) return 'mid';
  return 'low';
}

/** Lelu's keyword heuristic: a substring anywhere in the lower-cased action, highest class first. */
const keywordClasses: readonly { readonly criticality: number; readonly keywords: readonly string[] }[] = [
  {
    criticality: 0.9,
    keywords: ['delete', 'approve', 'refund', 'transfer', 'payment', 'wire', 'revoke', 'grant', 'admin'],
  },
  { criticality: 0.6, keywords: ['update', 'write', 'create', 'modify', 'issue', 'change'] },
  { criticality: 0.25, keywords: ['read', 'view', 'list', 'search', 'get', 'fetch'] },
];
const defaultCriticality = 0.5;

/** The catalog's criticality when it sets one, else the keyword heuristic's, else 0.5. */
export function actionCriticality(
  action: string,
  entry: ActionEntry | undefined,
): {
  criticality: number;
  source: CriticalitySource;
} {
  if (entry?.criticality !== undefined) return { criticality: entry.criticality, source: 'catalog' };
  const lowered = action.trim().toLowerCase();
  for (const { criticality, keywords } of keywordClasses) {
    if (keywords.some((keyword) => lowered.includes(keyword))) return { criticality, source: 'keyword' };
  }
  return { criticality: defaultCriticality, source: 'default' };
}

/**
 * Analytics may raise risk, never lower it below the baseline: reliability is clamped to [0, 1]
 * and the anomaly factor to ≥ 1; a value that is not a finite number counts as unknown (neutral).
 */
function sanitised(
  reliability: number,
  anomalyFactor: number,
): { reliability: number; anomalyFactor: number } {
  return {
    reliability: Number.isFinite(reliability) ? Math.min(1, Math.max(0, reliability)) : 1,
    anomalyFactor: Number.isFinite(anomalyFactor) ? Math.max(1, anomalyFactor) : 1,
  };
}

export function riskScore(
  criticality: number,
  confidence: number,
  reliability: number,
  anomalyFactor: number,
): number {
  return Math.min(1, Math.max(0, criticality * (1 - confidence) * (1 + (1 - reliability)) * anomalyFactor));
}

export function bandVerdict(score: number, band: RiskBand): DecisionKind {
  if (score <= band.allow) return 'allow';
  if (score <= band.review) return 'human_review';
  if (score <= band.readOnly) return 'read_only';
  return 'deny';
}

export interface RiskInputs {
  readonly action: string;
  readonly entry: ActionEntry | undefined;
  readonly confidence: number;
  readonly reliability: number;
  readonly anomalyFactor: number;
}

export function assessRisk(inputs: RiskInputs): RiskAssessment {
  const { criticality, source } = actionCriticality(inputs.action, inputs.entry);
  const { reliability, anomalyFactor } = sanitised(inputs.reliability, inputs.anomalyFactor);
  const score = riskScore(criticality, inputs.confidence, reliability, anomalyFactor);
  const criticalityClassOf = criticalityClass(criticality);
  const kind = bandVerdict(score, riskBands[criticalityClassOf]);
  const reason =
    `risk score ${score.toFixed(3)} (criticality=${criticality.toFixed(2)}, confidence=${inputs.confidence.toFixed(2)}, ` +
    `reliability=${reliability.toFixed(2)}, anomaly_factor=${anomalyFactor.toFixed(2)})`;
  return {
    score,
    criticality,
    criticalitySource: source,
    criticalityClass: criticalityClassOf,
    reliability,
    anomalyFactor,
    kind,
    reason,
  };
}
