import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { codecs } from './index.js';
import { withScrubbedErrors } from './scrubbed-errors.js';

const scrubbed = withScrubbedErrors(codecs, (text) => text.replaceAll('sk-secret', '[redacted]'));
const error = new GatewayError('invalid_request', 'header was Bearer sk-secret', {
  status: 422,
  param: 'sk-secret',
  upstreamType: 'invalid_request_error',
  headers: { 'retry-after': '2' },
});

describe('codecs with scrubbed errors', () => {
  it.each(['openai', 'anthropic'] as const)(
    'scrub the %s error body and keep its status and type',
    (dialect) => {
      const body = JSON.stringify(scrubbed[dialect].encodeError(error, 'req_1'));
      expect(body).not.toContain('sk-secret');
      expect(body).toContain('header was Bearer [redacted]');
      expect(body).toContain('invalid_request_error');
    },
  );

  it.each(['openai', 'anthropic'] as const)('scrub the %s in-band stream error', (dialect) => {
    const frame = scrubbed[dialect].encodeStreamError(error);
    expect(frame).not.toContain('sk-secret');
    expect(frame).toContain('[redacted]');
  });

  it('leave the error itself as it was, for the log, and each codec its dialect', () => {
    scrubbed.openai.encodeError(error, 'req_1');
    expect(error.message).toBe('header was Bearer sk-secret');
    expect(scrubbed.openai.dialect).toBe('openai');
    expect(scrubbed.anthropic.dialect).toBe('anthropic');
  });
});
