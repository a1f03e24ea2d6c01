import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isJsonMediaType, readJsonBody, type BodyReading } from './request-body.js';

const limits = { bodyLimitBytes: 64, maxJsonDepth: 4 };

function read(chunks: readonly string[], declaredLength?: string): Promise<BodyReading> {
  const body = new PassThrough();
  const reading = new Promise<BodyReading>((resolve) => {
    readJsonBody(body, declaredLength, limits, resolve);
  });
  for (const chunk of chunks) body.write(chunk);
  body.end();
  return reading;
}

function refusal(reading: BodyReading): { code: string; status: number; connection?: string } {
  if (reading.type !== 'refused') throw new Error(`expected a refusal, got ${reading.type}`);
  const { code, status, headers } = reading.error;
  return { code, status, ...(headers.connection === undefined ? {} : { connection: headers.connection }) };
}

describe('reading a JSON request body', () => {
  it('parses an object that arrives in pieces', async () => {
    expect(await read(['{"a":', '[1,2]}'], '11')).toEqual({ type: 'read', body: { a: [1, 2] } });
  });

  it('refuses a declared length over the limit before reading, leaving the connection usable', async () => {
    expect(refusal(await read([], '65'))).toEqual({ code: 'payload_too_large', status: 413 });
  });

  it('refuses a body without a declared length once it grows past the limit, closing the connection', async () => {
    const chunk = `{"a":"${'x'.repeat(80)}"}`;
    expect(refusal(await read([chunk]))).toEqual({
      code: 'payload_too_large',
      status: 413,
      connection: 'close',
    });
  });

  it('refuses a body whose length differs from the declared one', async () => {
    expect(refusal(await read(['{}'], '3'))).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('refuses an empty body, naming it empty', async () => {
    const reading = await read([], '0');
    expect(refusal(reading)).toMatchObject({ code: 'invalid_json', status: 400 });
    expect(reading.type === 'refused' && reading.error.message).toMatch(/empty/);
  });

  it.each([
    ['not JSON', '{nope', 'invalid_json'],
    ['an array', '[1]', 'invalid_request'],
    ['nested past the depth cap', '{"a":[[[[1]]]]}', 'invalid_json'],
  ])('refuses a body that is %s', async (_name, text, code) => {
    expect(refusal(await read([text]))).toMatchObject({ code, status: 400 });
  });

  it('reports a body that stopped arriving as broken, once', async () => {
    const body = new PassThrough();
    const readings: BodyReading[] = [];
    readJsonBody(body, undefined, limits, (reading) => readings.push(reading));
    body.write('{"a":');
    body.destroy(new Error('aborted'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(readings.map((reading) => reading.type)).toEqual(['broken']);
  });
});

describe('the JSON media type rule', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['APPLICATION/JSON', true],
    ['application/vnd.api+json', true],
    ['text/plain', false],
    ['application/jsonx', false],
    [undefined, false],
  ])('%s → %s', (contentType, accepted) => {
    expect(isJsonMediaType(contentType)).toBe(accepted);
  });
});
