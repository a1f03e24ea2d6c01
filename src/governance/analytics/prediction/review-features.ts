import type { ReviewItem } from '../../review/index.js';

/**
 * What the review-outcome model sees of a review item, as a sparse vector of bounded dimension:
 * a few numeric features at fixed positions, then every categorical one (the action, the agent, the
 * pair of them, the tenant, whom the agent acts for, the kind and wording of the reason, the
 * resource's keys and values, bands of confidence and risk) hashed into `hashedBuckets` buckets. A
 * name never seen in training lands in a bucket whose weight is small (L2), so new agents and
 * actions cost nothing and the model's size never grows with the traffic.
 *
 * Everything comes from the item itself (its enqueue time, not the clock), so a prediction is a
 * pure function of the model and the item: every replica holding the same model says the same.
 */

export interface SparseVector {
  readonly indices: readonly number[];
  readonly values: readonly number[];
}

/** Hashed buckets: 4096 keeps collisions rare for hundreds of agents × actions, in 32 KiB of weights. */
export const hashedBuckets = 4096;

const dense = {
  bias: 0,
  confidence: 1,
  confidenceMissing: 2,
  risk: 3,
  hourSine: 4,
  hourCosine: 5,
} as const;
const denseCount = 6;

export const featureDimensions = denseCount + hashedBuckets;

/** Resource entries beyond these (sorted by key) are not features: a bounded cost per item. */
const maxResourceEntries = 16;
/** Long values are cut: their start names them well enough, and hashing stays cheap. */
const maxValueLength = 200;

/** The part of a decision that sent the item to review, from its reason's wording (closed set). */
export type ReasonKind = 'policy' | 'confidence' | 'missing_confidence' | 'risk' | 'grant' | 'other';

export function reasonKindOf(reason: string): ReasonKind {
  if (reason.startsWith('missing confidence')) return 'missing_confidence';
  if (reason.startsWith('confidence ')) return 'confidence';
  if (reason.startsWith('risk score')) return 'risk';
  if (/^(?:policy |permitted by policy |denied by policy |the policy )/.test(reason)) return 'policy';
  if (reason.includes('grant')) return 'grant';
  return 'other';
}

/**
 * The reason with its numbers taken out: `confidence #.# is below the allow gate #.#: …`. Reasons
 * come from a handful of templates (and a policy's reason names its id), so this is a category.
 */
export function reasonTemplateOf(reason: string): string {
  return reason.slice(0, maxValueLength).replace(/\d+(?:\.\d+)?/g, '#');
}

/** FNV-1a, 32 bits, over UTF-16 code units: fast, stable across processes and versions. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function bucketOf(name: string): number {
  return denseCount + (fnv1a(name) % hashedBuckets);
}

const clampUnit = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const cut = (text: string): string => text.slice(0, maxValueLength);

export type FeatureSource = Pick<
  ReviewItem,
  | 'tenantId'
  | 'actor'
  | 'action'
  | 'resource'
  | 'confidenceScore'
  | 'riskScore'
  | 'reason'
  | 'actingFor'
  | 'enqueuedAt'
>;

/** The categorical features of an item, by name (exported for tests and for explaining a model). */
export function categoricalFeatures(item: FeatureSource): string[] {
  const confidence = clampUnit(item.confidenceScore);
  const risk = clampUnit(item.riskScore);
  const names = [
    `action=${cut(item.action)}`,
    `actor=${cut(item.actor)}`,
    `actor_action=${cut(item.actor)}\u0000${cut(item.action)}`,
    `tenant=${cut(item.tenantId)}`,
    `acting_for=${item.actingFor === undefined ? '' : cut(item.actingFor)}`,
    `reason_kind=${reasonKindOf(item.reason)}`,
    `reason=${reasonTemplateOf(item.reason)}`,
    `confidence_band=${Math.min(9, Math.floor(confidence * 10))}`,
    `risk_band=${Math.min(9, Math.floor(risk * 10))}`,
  ];
  const keys = Object.keys(item.resource).sort().slice(0, maxResourceEntries);
  for (const key of keys) {
    names.push(`resource_key=${cut(key)}`, `resource=${cut(key)}\u0000${cut(item.resource[key] ?? '')}`);
  }
  return names;
}

export function reviewFeatures(item: FeatureSource): SparseVector {
  const hour = new Date(item.enqueuedAt).getUTCHours() + new Date(item.enqueuedAt).getUTCMinutes() / 60;
  const angle = (2 * Math.PI * hour) / 24;
  const indices: number[] = [
    dense.bias,
    dense.confidence,
    dense.confidenceMissing,
    dense.risk,
    dense.hourSine,
    dense.hourCosine,
  ];
  const values: number[] = [
    1,
    clampUnit(item.confidenceScore),
    // `confidence_used` is 0 when the request carried no usable confidence.
    item.confidenceScore === 0 ? 1 : 0,
    clampUnit(item.riskScore),
    Math.sin(angle),
    Math.cos(angle),
  ];
  for (const name of categoricalFeatures(item)) {
    indices.push(bucketOf(name));
    values.push(1);
  }
  return { indices, values };
}
