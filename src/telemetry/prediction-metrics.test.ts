import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { parseExposition, sample } from './metrics-exposition.js';

/** The prediction metrics: accuracy, samples, use, counts, latency, automatic resolutions. */

describe('prediction metrics', () => {
  it('export each model’s figures after a training, and drop the accuracy when the model goes', async () => {
    const metrics = createMetrics({ knownModels: [] });
    metrics.predictionModelTrained('review_outcome', {
      inUse: true,
      heldOutAccuracy: 0.9,
      trainingSamples: 240,
      heldOutSamples: 60,
    });
    metrics.predictionModelTrained('confidence_calibration', {
      inUse: false,
      heldOutAccuracy: 0.65,
      trainingSamples: 80,
      heldOutSamples: 20,
    });
    let samples = parseExposition(await metrics.render());
    const review = { model: 'review_outcome' };
    expect(sample(samples, 'gatehouse_agent_prediction_accuracy', review)).toBe(0.9);
    expect(sample(samples, 'gatehouse_agent_prediction_samples', { ...review, set: 'training' })).toBe(240);
    expect(sample(samples, 'gatehouse_agent_prediction_samples', { ...review, set: 'held_out' })).toBe(60);
    expect(sample(samples, 'gatehouse_agent_prediction_model_in_use', review)).toBe(1);
    expect(
      sample(samples, 'gatehouse_agent_prediction_model_in_use', { model: 'confidence_calibration' }),
    ).toBe(0);

    metrics.predictionModelTrained('review_outcome', {
      inUse: false,
      heldOutAccuracy: undefined,
      trainingSamples: 0,
      heldOutSamples: 0,
    });
    samples = parseExposition(await metrics.render());
    expect(sample(samples, 'gatehouse_agent_prediction_accuracy', review)).toBeUndefined();
    expect(sample(samples, 'gatehouse_agent_prediction_samples', { ...review, set: 'training' })).toBe(0);
  });

  it('count predictions by model and outcome with their latency, and automatic resolutions', async () => {
    const metrics = createMetrics({ knownModels: [] });
    metrics.predicted('review_outcome', 'approved', 0.000004);
    metrics.predicted('review_outcome', 'denied', 0.000004);
    metrics.predicted('confidence_calibration', 'calibrated', 0.000001);
    metrics.predicted('confidence_calibration', 'calibrated', Number.NaN);
    metrics.reviewAutoResolved('denied');
    const samples = parseExposition(await metrics.render());
    expect(
      sample(samples, 'gatehouse_agent_predictions_total', { model: 'review_outcome', outcome: 'approved' }),
    ).toBe(1);
    expect(
      sample(samples, 'gatehouse_agent_predictions_total', {
        model: 'confidence_calibration',
        outcome: 'calibrated',
      }),
    ).toBe(2);
    expect(
      sample(samples, 'gatehouse_agent_prediction_latency_seconds_count', { model: 'review_outcome' }),
    ).toBe(2);
    expect(
      sample(samples, 'gatehouse_agent_prediction_latency_seconds_bucket', {
        model: 'review_outcome',
        le: '0.000005',
      }),
    ).toBe(2);
    // A latency that is not a number is not observed; the prediction is still counted.
    expect(
      sample(samples, 'gatehouse_agent_prediction_latency_seconds_count', {
        model: 'confidence_calibration',
      }),
    ).toBe(1);
    expect(sample(samples, 'gatehouse_agent_prediction_auto_resolutions_total', { outcome: 'denied' })).toBe(
      1,
    );
  });
});
