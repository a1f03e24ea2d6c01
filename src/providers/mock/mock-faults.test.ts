import { describe, expect, it } from 'vitest';
import {
  emptyFaultPlan,
  mergeFaultPlans,
  parseFaultHeader,
  parseFaultModelName,
  parseLatencyHeader,
  type MockFaultPlan,
} from './mock-faults.js';

function headerPlan(value: string): MockFaultPlan {
  const parsed = parseFaultHeader(value);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.plan;
}

describe('fault grammar, model-name form', () => {
  it('leaves ordinary model names healthy', () => {
    for (const name of [
      'mock',
      'mock-chat',
      'mock-gpt-4o-mini',
      'mock-claude-3-5-sonnet',
      'gpt-4o',
      'gpt-4o-500',
    ]) {
      expect(parseFaultModelName(name)).toBe(emptyFaultPlan);
    }
  });

  it('reads status faults with retry hints and once', () => {
    expect(parseFaultModelName('mock-429').faults).toEqual([
      { kind: 'status', key: '429', once: false, status: 429 },
    ]);
    expect(parseFaultModelName('mock-429-retry-after-2').faults).toEqual([
      { kind: 'status', key: '429;retry-after=2', once: false, status: 429, retryAfterSeconds: 2 },
    ]);
    expect(parseFaultModelName('mock-429-retry-after-ms-1500').faults).toEqual([
      { kind: 'status', key: '429;retry-after-ms=1500', once: false, status: 429, retryAfterMs: 1500 },
    ]);
    expect(parseFaultModelName('mock-fault-500-once').faults).toEqual([
      { kind: 'status', key: '500', once: true, status: 500 },
    ]);
    expect(parseFaultModelName('MOCK-503-ONCE').faults[0]).toMatchObject({ status: 503, once: true });
  });

  it('reads multi-word faults, their numbers and their defaults', () => {
    expect(parseFaultModelName('mock-slow-first-token-2500').faults).toEqual([
      { kind: 'slow-first-token', key: 'slow-first-token=2500', once: false, value: 2500 },
    ]);
    expect(parseFaultModelName('mock-slow-first-token').faults[0]).toMatchObject({ value: 2000 });
    expect(parseFaultModelName('mock-stream-cut-after-3').faults[0]).toMatchObject({
      kind: 'stream-cut',
      value: 3,
    });
    expect(parseFaultModelName('mock-stream-stall-4').faults[0]).toMatchObject({
      kind: 'stream-stall',
      value: 4,
    });
    expect(parseFaultModelName('mock-malformed-chunk').faults[0]).toMatchObject({ value: 5 });
    expect(parseFaultModelName('mock-no-terminator').faults[0]).toMatchObject({ kind: 'no-terminator' });
    expect(parseFaultModelName('mock-context-length').faults[0]).toEqual({
      kind: 'context-length',
      key: 'context-length',
      once: false,
    });
    expect(parseFaultModelName('mock-context-length-4096').faults[0]).toMatchObject({ maxTokens: 4096 });
    expect(parseFaultModelName('mock-down-10').faults[0]).toMatchObject({ kind: 'down', value: 10 });
    expect(parseFaultModelName('mock-reset-once').faults[0]).toMatchObject({ kind: 'reset', once: true });
  });

  it('combines several faults and latencies in one name', () => {
    const plan = parseFaultModelName('mock-latency-50-token-latency-5-500-once-content-policy');
    expect(plan.latencyMs).toBe(50);
    expect(plan.tokenLatencyMs).toBe(5);
    expect(plan.faults.map((fault) => [fault.kind, fault.once])).toEqual([
      ['status', true],
      ['content-policy', false],
    ]);
  });

  it('ignores words before the mock word and unknown words', () => {
    expect(parseFaultModelName('team-a-mock-429').faults[0]).toMatchObject({ status: 429 });
    expect(parseFaultModelName('mock-banana-429-split').faults).toHaveLength(1);
    expect(parseFaultModelName('mock-200').faults).toHaveLength(0);
    expect(parseFaultModelName('mock-4e2').faults).toHaveLength(0);
  });
});

describe('fault grammar, header form', () => {
  it('reads names, values and parameters', () => {
    expect(headerPlan('429;retry-after=2').faults).toEqual([
      { kind: 'status', key: '429;retry-after=2', once: false, status: 429, retryAfterSeconds: 2 },
    ]);
    expect(headerPlan(' 500 ; once ').faults[0]).toMatchObject({ status: 500, once: true });
    expect(headerPlan('stream-cut;after=3').faults[0]).toMatchObject({ kind: 'stream-cut', value: 3 });
    expect(headerPlan('stream-cut=3').faults[0]).toMatchObject({ kind: 'stream-cut', value: 3 });
    expect(headerPlan('slow-first-token;ms=150').faults[0]).toMatchObject({ value: 150 });
    expect(headerPlan('down;seconds=10').faults[0]).toMatchObject({ kind: 'down', value: 10 });
    expect(headerPlan('context-length;max=100').faults[0]).toMatchObject({ maxTokens: 100 });
    expect(headerPlan('503;once;retry-after-ms=250').faults[0]).toMatchObject({
      retryAfterMs: 250,
      once: true,
    });
  });

  it('reads several faults separated by commas', () => {
    const plan = headerPlan('latency=40, 503;once, stream-stall=2');
    expect(plan.latencyMs).toBe(40);
    expect(plan.faults.map((fault) => fault.kind)).toEqual(['status', 'stream-stall']);
  });

  it('reports unknown names, parameters and bad values', () => {
    const failures = [
      'explode',
      '429;retry-after',
      '429;retry-after=soon',
      'hang;after=3',
      'reset=3',
      'stream-cut;retry-after=1',
      '500;sometimes',
      'latency;once',
    ];
    for (const value of failures) {
      const parsed = parseFaultHeader(value);
      expect(parsed.ok, value).toBe(false);
    }
    const parsed = parseFaultHeader('explode');
    expect(!parsed.ok && parsed.message).toContain('explode');
  });

  it('treats an empty header as no fault', () => {
    expect(headerPlan('')).toBe(emptyFaultPlan);
  });
});

describe('combining the two forms', () => {
  it('tries the model name faults first and lets the header latencies win', () => {
    const merged = mergeFaultPlans(parseFaultModelName('mock-latency-10-500'), headerPlan('latency=20, 429'));
    expect(merged.latencyMs).toBe(20);
    expect(merged.faults.map((fault) => fault.kind === 'status' && fault.status)).toEqual([500, 429]);
    const model = parseFaultModelName('mock-hang');
    expect(mergeFaultPlans(model, emptyFaultPlan)).toBe(model);
  });

  it('reads latency headers as whole milliseconds only', () => {
    expect(parseLatencyHeader('250')).toBe(250);
    expect(parseLatencyHeader(' 5 ')).toBe(5);
    expect(parseLatencyHeader('-5')).toBeUndefined();
    expect(parseLatencyHeader('1e3')).toBeUndefined();
    expect(parseLatencyHeader(undefined)).toBeUndefined();
  });
});
