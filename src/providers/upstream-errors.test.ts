import { describe, expect, it } from 'vitest';
import { upstreamCredentialsRefused } from '../errors/index.js';
import { decideRetry } from '../routing/retry-decision.js';
import { retryAfterMs, upstreamHttpError } from './upstream-errors.js';

const retry = {
  attempts: 3,
  retryOn: [408, 409, 429, 500, 502, 503, 504],
  backoffMs: 10,
  maxBackoffMs: 100,
  maxRetryAfterMs: 5_000,
};

describe('upstream errors', () => {
  it('keeps a provider error’s status, type and message', () => {
    const error = upstreamHttpError(
      'openai',
      429,
      JSON.stringify({ error: { message: 'Slow down', type: 'requests' } }),
    );
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      status: 429,
      upstreamType: 'requests',
      message: 'Slow down',
    });
  });

  it('recognises context length and content policy rejections in both wire shapes', () => {
    expect(
      upstreamHttpError(
        'o',
        400,
        JSON.stringify({ error: { code: 'context_length_exceeded', message: 'too long' } }),
      ).code,
    ).toBe('context_length_exceeded');
    const anthropic = JSON.stringify({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'prompt is too long: 300000 tokens > 200000 maximum' },
    });
    expect(upstreamHttpError('a', 400, anthropic).code).toBe('context_length_exceeded');
    expect(
      upstreamHttpError('o', 400, JSON.stringify({ error: { code: 'content_filter', message: 'filtered' } }))
        .code,
    ).toBe('content_policy');
  });

  it.each([401, 403])(
    'never passes on what a provider says when it refuses the gateway’s key (%i)',
    (status) => {
      const echoed = JSON.stringify({
        error: {
          message: 'Incorrect API key provided: sk-proj-1234567890abcdefSECRET',
          type: 'invalid_request_error',
        },
      });
      const error = upstreamHttpError('openai', status, echoed);
      expect(error.message).not.toContain('SECRET');
      expect(error.message).toContain('openai');
      expect(error).toMatchObject({
        code: 'upstream_error',
        status: 502,
        upstreamType: upstreamCredentialsRefused,
      });
      // The target is misconfigured: move on to the next one rather than retry it.
      expect(decideRetry({ kind: 'http', error }, retry, 0, () => 0.5)).toEqual({ type: 'next-target' });
    },
  );

  it('reads retry-after-ms before retry-after, in seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, 0)).toBe(1500);
    expect(retryAfterMs({ 'retry-after': '2' }, 0)).toBe(2000);
    const now = Date.parse('2026-11-22T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Sun, 22 Nov 2026 00:00:03 GMT' }, now)).toBe(3000);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
