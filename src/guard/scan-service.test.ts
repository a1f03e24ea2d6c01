import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { benignText, blatantInjection, recordedGuard, throwingDetector } from './test-support.js';

const caller = { keyId: 'key_1', requestId: 'req-1' };

describe('the scan service', () => {
  it('answers an injected input as detected, with its score, source and method', () => {
    const { guard, detections } = recordedGuard();
    const outcome = guard.scans.scanInput({ input: blatantInjection }, caller);
    if (outcome.type !== 'answered') throw new Error(outcome.error.message);
    expect(outcome.answer).toMatchObject({ safe: false, detected: true, source: 'input', method: 'phrase' });
    expect(outcome.answer.score).toBeGreaterThanOrEqual(0.8);
    expect(detections).toEqual([{ source: 'input', action: 'report' }]);
  });

  it('answers a benign output as safe, without a pattern', () => {
    const { guard } = recordedGuard();
    const outcome = guard.scans.scanOutput({ output: benignText, actor: 'bot' }, caller);
    if (outcome.type !== 'answered') throw new Error(outcome.error.message);
    expect(outcome.answer).toMatchObject({ safe: true, detected: false, source: 'output' });
    expect(outcome.answer.score).toBeLessThan(0.8);
    expect(outcome.answer).not.toHaveProperty('pattern');
  });

  it("scores the output's action and resource values too, naming where the hit was", () => {
    const { guard } = recordedGuard();
    const outcome = guard.scans.scanOutput(
      { output: benignText, action: 'summarise', resource: { page: blatantInjection } },
      caller,
    );
    expect(outcome).toMatchObject({ type: 'answered', answer: { detected: true, source: 'resource.page' } });
  });

  it('refuses what is not a text, naming the field', () => {
    const { guard } = recordedGuard();
    const cases: [unknown, 'input' | 'output', string][] = [
      [{}, 'input', 'input'],
      [{ input: '' }, 'input', 'input'],
      [{ input: null }, 'input', 'input'],
      [{ input: 42 }, 'input', 'input'],
      [{ input: ['a'] }, 'input', 'input'],
      [[blatantInjection], 'input', 'input'],
      ['text', 'output', 'output'],
      [{ output: 'x', actor: 7 }, 'output', 'actor'],
      [{ output: 'x', resource: 'page' }, 'output', 'resource'],
      [{ output: 'x', resource: { page: 3 } }, 'output', 'resource.page'],
    ];
    for (const [body, kind, field] of cases) {
      const outcome =
        kind === 'input' ? guard.scans.scanInput(body, caller) : guard.scans.scanOutput(body, caller);
      if (outcome.type !== 'rejected') throw new Error(`${JSON.stringify(body)} was scored`);
      expect(outcome.error.code).toBe('invalid_request');
      expect(outcome.error.param).toBe(field);
    }
  });

  it('refuses a text longer than max_scan_chars with 413', () => {
    const { guard } = recordedGuard({ max_scan_chars: 100 });
    const outcome = guard.scans.scanInput({ input: 'a'.repeat(101) }, caller);
    if (outcome.type !== 'rejected') throw new Error('scored');
    expect(outcome.error.status).toBe(413);
    expect(outcome.error.message).toContain('max_scan_chars');
    expect(guard.scans.scanInput({ input: 'a'.repeat(100) }, caller).type).toBe('answered');
  });

  it('answers 503 when the detector fails, never a false safe', () => {
    const { guard, failures } = recordedGuard({ fail_mode: 'open' }, throwingDetector);
    const outcome = guard.scans.scanInput({ input: benignText }, caller);
    if (outcome.type !== 'rejected') throw new Error('answered');
    expect(outcome.error.status).toBe(503);
    expect(failures).toEqual([{ check: 'scan', outcome: 'failed_closed' }]);
  });

  it('scores any string, binary-looking or malformed Unicode included, without throwing', () => {
    const { guard } = recordedGuard();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 500 }), (input) => {
        const outcome = guard.scans.scanInput({ input }, caller);
        expect(outcome.type).toBe('answered');
      }),
      { numRuns: 100 },
    );
  });
});
