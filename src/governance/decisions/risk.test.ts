import { describe, expect, it } from 'vitest';
import type { ActionEntry } from '../governance-settings.js';
import {
  actionCriticality,
  assessRisk,
  bandVerdict,
  criticalityClass,
  riskBands,
  riskScore,
} from './risk.js';

const catalog = (criticality: number): ActionEntry => ({
  pattern: 'x*',
  criticality,
  readOnly: false,
  gates: undefined,
});

describe('criticality', () => {
  it.each([
    ['delete_user', 0.9],
    ['Approve_Refund', 0.9],
    ['wire_funds', 0.9],
    ['admin_panel', 0.9],
    ['update_record', 0.6],
    ['issue_credit_note', 0.6],
    ['read_invoice', 0.25],
    ['list_orders', 0.25],
    ['ping', 0.5],
    // Lelu's substring semantics: the highest class found anywhere wins.
    ['read_then_delete', 0.9],
  ])('by keyword: %s → %s', (action, criticality) => {
    expect(actionCriticality(action, undefined).criticality).toBe(criticality);
  });

  it('comes from the catalog before the keyword heuristic', () => {
    expect(actionCriticality('delete_draft', catalog(0.3))).toEqual({ criticality: 0.3, source: 'catalog' });
    expect(actionCriticality('delete_draft', undefined).source).toBe('keyword');
    expect(actionCriticality('ping', undefined).source).toBe('default');
    // A catalog entry without criticality leaves it to the heuristic.
    const readOnly: ActionEntry = { pattern: 'r*', criticality: undefined, readOnly: true, gates: undefined };
    expect(actionCriticality('read_x', readOnly)).toEqual({ criticality: 0.25, source: 'keyword' });
  });

  it.each([
    [0.8, 'high'],
    [0.7999, 'mid'],
    [0.5, 'mid'],
    [0.4999, 'low'],
  ] as const)('class of %s is %s', (criticality, kind) => {
    expect(criticalityClass(criticality)).toBe(kind);
  });
});

describe('the risk score', () => {
  it('is criticality × (1 − confidence) × (1 + (1 − reliability)) × anomaly factor, at most 1', () => {
    expect(riskScore(0.9, 0.92, 1, 1)).toBeCloseTo(0.072, 12);
    expect(riskScore(0.6, 0.5, 0.5, 1)).toBeCloseTo(0.45, 12);
    expect(riskScore(0.6, 0.5, 0.5, 1.5)).toBeCloseTo(0.675, 12);
    expect(riskScore(0.9, 0, 0, 1.5)).toBe(1);
    expect(riskScore(0.9, 1, 0, 1.5)).toBe(0);
  });

  it('clamps what analytics reports: reliability to [0, 1], the anomaly factor to ≥ 1, non-numbers neutral', () => {
    const base = { action: 'x', entry: catalog(0.6), confidence: 0.5 };
    expect(assessRisk({ ...base, reliability: 2, anomalyFactor: 0.1 }).score).toBeCloseTo(0.3, 12);
    expect(assessRisk({ ...base, reliability: -1, anomalyFactor: 1 }).reliability).toBe(0);
    const unknown = assessRisk({ ...base, reliability: Number.NaN, anomalyFactor: Number.POSITIVE_INFINITY });
    expect([unknown.reliability, unknown.anomalyFactor]).toEqual([1, 1]);
  });
});

describe('risk bands per criticality class', () => {
  it.each([
    ['high', 0.08, 'allow'],
    ['high', 0.0801, 'human_review'],
    ['high', 0.22, 'human_review'],
    ['high', 0.2201, 'read_only'],
    ['high', 0.4, 'read_only'],
    ['high', 0.4001, 'deny'],
    ['mid', 0.15, 'allow'],
    ['mid', 0.1501, 'human_review'],
    ['mid', 0.35, 'human_review'],
    ['mid', 0.55, 'read_only'],
    ['mid', 0.5501, 'deny'],
    ['low', 0.3, 'allow'],
    ['low', 0.55, 'human_review'],
    ['low', 0.75, 'read_only'],
    ['low', 0.7501, 'deny'],
  ] as const)('%s at %s → %s', (band, score, kind) => {
    expect(bandVerdict(score, riskBands[band])).toBe(kind);
  });

  it("returns the score, its factors and the band verdict with Lelu's reason", () => {
    const risk = assessRisk({
      action: 'approve_refund',
      entry: undefined,
      confidence: 0.8,
      reliability: 1,
      anomalyFactor: 1,
    });
    expect(risk).toMatchObject({
      criticality: 0.9,
      criticalitySource: 'keyword',
      criticalityClass: 'high',
      reliability: 1,
      anomalyFactor: 1,
      kind: 'human_review',
    });
    expect(risk.score).toBeCloseTo(0.18, 12);
    expect(risk.reason).toBe(
      'risk score 0.180 (criticality=0.90, confidence=0.80, reliability=1.00, anomaly_factor=1.00)',
    );
  });
});
