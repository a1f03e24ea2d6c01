import fc from 'fast-check';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, createPlainInfoWriter, isoTimeOfNow } from './logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('createPlainInfoWriter', () => {
  const fields = { request_id: 'req_1', status: 200, cost_usd: 0.0012, stream: false, error_code: undefined };

  it('writes the line pino writes for the same fields', () => {
    const viaPino = capture();
    createLogger({ level: 'info', format: 'json' }, viaPino.stream).info(fields, 'request');
    const direct = capture();
    createPlainInfoWriter(createLogger({ level: 'info', format: 'json' }, direct.stream))(fields, 'request');
    const [expected] = viaPino.lines();
    const [written] = direct.lines();
    expect(written).toEqual({ ...expected, time: written?.time });
    expect(Object.keys(written ?? {})).toEqual(Object.keys(expected ?? {}));
    expect(Date.parse(String(written?.time))).toBeGreaterThan(Date.now() - 60_000);
  });

  it("keeps a child logger's bindings and writes nothing below its level", () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json' }, out.stream);
    createPlainInfoWriter(logger.child({ component: 'x' }))({ a: 1 }, 'one');
    createPlainInfoWriter(logger)({}, 'two');
    logger.level = 'warn';
    createPlainInfoWriter(logger)({ a: 3 }, 'three');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 'info', service: 'gatehouse', component: 'x', a: 1, msg: 'one' }),
      expect.objectContaining({ level: 'info', service: 'gatehouse', msg: 'two' }),
    ]);
  });
});

describe('createLogger with a mask', () => {
  const mask = (line: string) => line.replaceAll('jane@example.com', '[EMAIL]');

  it('masks every serialised line: message, fields, error message and stack', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json', mask }, out.stream);
    logger.info(
      { note: 'from jane@example.com', nested: { to: ['jane@example.com'] } },
      'hello jane@example.com',
    );
    logger.error({ err: new Error('failed for jane@example.com') }, 'unhandled error');
    const [info, error] = out.lines();
    expect(info).toMatchObject({ note: 'from [EMAIL]', nested: { to: ['[EMAIL]'] }, msg: 'hello [EMAIL]' });
    const err = error?.err as { message: string; stack: string };
    expect(err.message).toBe('failed for [EMAIL]');
    expect(err.stack).toContain('failed for [EMAIL]');
    expect(JSON.stringify(out.lines())).not.toContain('jane@example.com');
  });

  it('keeps a line JSON when a value it masks sits in a number: that number becomes the masked string', () => {
    const out = capture();
    // What the PII masker does to a card-like run of digits, wherever it stands in the line.
    const digits = (line: string) => line.replaceAll('4111111111111111', '[CARD:...1111]');
    const logger = createLogger({ level: 'info', format: 'json', mask: digits }, out.stream);
    logger.info({ tokens: 4111111111111111, latencyMs: 13.5, note: 'card 4111111111111111' }, 'counted');
    expect(out.lines()).toEqual([
      expect.objectContaining({ tokens: '[CARD:...1111]', latencyMs: 13.5, note: 'card [CARD:...1111]' }),
    ]);
  });

  it('withholds a line whose masking fails instead of writing it unmasked, and never throws', () => {
    const out = capture();
    const failing = () => {
      throw new Error('masker bug');
    };
    const logger = createLogger({ level: 'info', format: 'json', mask: failing }, out.stream);
    expect(() => logger.info({ note: 'jane@example.com' }, 'hello')).not.toThrow();
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 'error', msg: expect.stringContaining('withheld') }),
    ]);
  });
});

describe('isoTimeOfNow', () => {
  it('writes what toISOString writes, across seconds and within one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 253_402_300_799_999 }), { minLength: 1 }), (times) => {
        let at = 0;
        const time = isoTimeOfNow(() => at);
        for (const moment of [...times, ...times.map((t) => t - (t % 1000) + 999)]) {
          at = moment;
          expect(time()).toBe(new Date(moment).toISOString());
        }
      }),
    );
  });
});
