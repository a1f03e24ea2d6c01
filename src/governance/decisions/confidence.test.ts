import { describe, expect, it } from 'vitest';
import type { AuthorizeRequest, ConfidenceSignal } from '../authorize-request.js';
import { confidenceFromSignal, readConfidence } from './confidence.js';

function signal(fields: Partial<ConfidenceSignal> & Pick<ConfidenceSignal, 'provider'>): ConfidenceSignal {
  return {
    tokenLogprobs: undefined,
    tokenProbabilities: undefined,
    entropy: undefined,
    entropyMax: undefined,
    ...fields,
  };
}

function request(fields: Partial<AuthorizeRequest>): AuthorizeRequest {
  return {
    tenantId: 'default',
    actor: 'bot',
    action: 'read',
    resource: {},
    confidence: undefined,
    confidenceSignal: undefined,
    actingFor: undefined,
    scope: undefined,
    args: undefined,
    ...fields,
  };
}

describe('confidence from a signal', () => {
  it("takes the mean of exp(logprob) for OpenAI and Anthropic, as Lelu's engine does", () => {
    const logprobs = [Math.log(0.9), Math.log(0.5)];
    for (const provider of ['openai', 'anthropic'] as const) {
      const { value, source } = confidenceFromSignal(signal({ provider, tokenLogprobs: logprobs }));
      expect(value).toBeCloseTo(0.7, 12);
      expect(source).toBe('token_logprobs');
    }
    // Not the geometric mean exp(mean logprob) of Lelu's SDK, which would be about 0.6708.
    expect(Math.exp((Math.log(0.9) + Math.log(0.5)) / 2)).toBeCloseTo(0.6708, 4);
  });

  it('takes the mean probability for Bedrock and local token probabilities', () => {
    const bedrock = confidenceFromSignal(signal({ provider: 'bedrock', tokenProbabilities: [1, 0.5, 0.6] }));
    expect(bedrock.value).toBeCloseTo(0.7, 12);
    expect(bedrock.source).toBe('token_probabilities');
    expect(confidenceFromSignal(signal({ provider: 'local', tokenProbabilities: [0.2] })).value).toBe(0.2);
  });

  it('takes 1 − entropy / entropy_max for local entropy, with entropy_max 1 by default', () => {
    expect(confidenceFromSignal(signal({ provider: 'local', entropy: 0.5, entropyMax: 2 }))).toEqual({
      value: 0.75,
      source: 'entropy',
    });
    expect(confidenceFromSignal(signal({ provider: 'local', entropy: 0.3 })).value).toBeCloseTo(0.7, 12);
  });

  it('prefers local probabilities over entropy when both are sent', () => {
    const both = signal({ provider: 'local', tokenProbabilities: [0.9], entropy: 0.9 });
    expect(confidenceFromSignal(both)).toEqual({ value: 0.9, source: 'token_probabilities' });
  });

  it('gives certainty for log-probabilities of zero and near nothing for very negative ones', () => {
    expect(confidenceFromSignal(signal({ provider: 'openai', tokenLogprobs: [0, 0] })).value).toBe(1);
    expect(confidenceFromSignal(signal({ provider: 'openai', tokenLogprobs: [-1e6] })).value).toBe(0);
  });
});

describe('which confidence a decision uses', () => {
  const openai = signal({ provider: 'openai', tokenLogprobs: [Math.log(0.6)] });

  it('prefers the signal over a bare confidence, even when unverified numbers are allowed', () => {
    const reading = readConfidence(request({ confidence: 0.99, confidenceSignal: openai }), true);
    expect(reading.kind === 'measured' && reading.value).toBeCloseTo(0.6, 12);
    expect(reading.kind === 'measured' && reading.source).toBe('token_logprobs');
  });

  it('ignores a bare confidence unless allow_unverified is on', () => {
    expect(readConfidence(request({ confidence: 0.99 }), false)).toEqual({ kind: 'missing' });
    expect(readConfidence(request({ confidence: 0.99 }), true)).toEqual({
      kind: 'measured',
      value: 0.99,
      source: 'unverified',
    });
  });

  it('is missing when the request carries neither', () => {
    expect(readConfidence(request({}), true)).toEqual({ kind: 'missing' });
  });
});
