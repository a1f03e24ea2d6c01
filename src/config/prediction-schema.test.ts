import { describe, expect, it } from 'vitest';
import { modelSettingsFrom } from '../governance/analytics/prediction/index.js';
import { formatProblems } from './config-error.js';
import { loadConfig, type LoadResult } from './load.js';
import { parseDuration as parseLongDuration } from './duration.js';

/** `governance.analytics`: Lelu's six model settings, by file and by its variable names. */

function load(yaml: string, env: Record<string, string> = {}): LoadResult {
  return loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
}

function analyticsOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config.governance.analytics;
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be refused');
  return formatProblems(result.errors);
}

const hour = 3_600_000;
const day = 24 * hour;

describe('governance.analytics', () => {
  it('defaults to Lelu’s documented values, with automatic resolution off', () => {
    expect(modelSettingsFrom(analyticsOf(load('')))).toEqual({
      minSamples: 100,
      updateIntervalMs: 6 * hour,
      prediction: { enabled: true, windowMs: 14 * day, threshold: 0.6, autoResolve: 'off' },
      calibration: { enabled: true, windowMs: 30 * day, threshold: 0.7 },
    });
  });

  it('reads durations with days, as Lelu writes them', () => {
    expect(parseLongDuration('30d')).toBe(30 * day);
    expect(parseLongDuration('1d12h')).toBe(36 * hour);
    expect(parseLongDuration('90m')).toBe(90 * 60_000);
    expect(parseLongDuration('1.5s')).toBe(1_500);
    expect(parseLongDuration('14')).toBeUndefined();
    expect(parseLongDuration('d')).toBeUndefined();
    expect(parseLongDuration('-1d')).toBeUndefined();
  });

  it('takes each variable: MIN_SAMPLES_FOR_MODEL, MODEL_UPDATE_INTERVAL, REVIEW_MODEL_WINDOW, REVIEW_PREDICTION_THRESHOLD, CONFIDENCE_MODEL_WINDOW, CONFIDENCE_PREDICTION_THRESHOLD', () => {
    const settings = modelSettingsFrom(
      analyticsOf(
        load('', {
          MIN_SAMPLES_FOR_MODEL: '250',
          MODEL_UPDATE_INTERVAL: '30m',
          REVIEW_MODEL_WINDOW: '7d',
          REVIEW_PREDICTION_THRESHOLD: '0.95',
          CONFIDENCE_MODEL_WINDOW: '60d',
          CONFIDENCE_PREDICTION_THRESHOLD: '0.85',
        }),
      ),
    );
    expect(settings).toEqual({
      minSamples: 250,
      updateIntervalMs: 30 * 60_000,
      prediction: { enabled: true, windowMs: 7 * day, threshold: 0.95, autoResolve: 'off' },
      calibration: { enabled: true, windowMs: 60 * day, threshold: 0.85 },
    });
  });

  it('lets the variables override the file', () => {
    const yaml = [
      'governance:',
      '  analytics:',
      '    models: { min_samples: 40, update_interval: 1h }',
      '    prediction: { threshold: 0.8, auto_resolve: approve, window: 3d }',
      '    calibration: { enabled: false }',
    ].join('\n');
    expect(analyticsOf(load(yaml))).toMatchObject({
      models: { min_samples: 40, update_interval: hour },
      prediction: { enabled: true, window: 3 * day, threshold: 0.8, auto_resolve: 'approve' },
      calibration: { enabled: false, window: 30 * day, threshold: 0.7 },
    });
    expect(analyticsOf(load(yaml, { MIN_SAMPLES_FOR_MODEL: '20' })).models.min_samples).toBe(20);
  });

  it('refuses nonsense, naming the field and the variable', () => {
    expect(errorsOf(load('', { MIN_SAMPLES_FOR_MODEL: 'many' }))).toContain('MIN_SAMPLES_FOR_MODEL');
    expect(errorsOf(load('', { MIN_SAMPLES_FOR_MODEL: '5' }))).toContain(
      'governance.analytics.models.min_samples',
    );
    expect(errorsOf(load('', { MODEL_UPDATE_INTERVAL: '6' }))).toContain('like 6h, 14d');
    expect(errorsOf(load('', { MODEL_UPDATE_INTERVAL: '30d' }))).toContain('between 1s and 7d');
    expect(errorsOf(load('', { REVIEW_MODEL_WINDOW: 'two weeks' }))).toContain('REVIEW_MODEL_WINDOW');
    expect(errorsOf(load('', { CONFIDENCE_MODEL_WINDOW: '400d' }))).toContain('between 1s and 365d');
    expect(errorsOf(load('', { REVIEW_PREDICTION_THRESHOLD: '0.4' }))).toContain(
      'governance.analytics.prediction.threshold',
    );
    expect(errorsOf(load('', { CONFIDENCE_PREDICTION_THRESHOLD: '1.5' }))).toContain(
      'CONFIDENCE_PREDICTION_THRESHOLD',
    );
    expect(errorsOf(load('governance:\n  analytics:\n    prediction: { auto_resolve: yes }\n'))).toContain(
      'governance.analytics.prediction.auto_resolve',
    );
  });
});
