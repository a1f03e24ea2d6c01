import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRequestIdGenerator, requestIdOf } from './request-id.js';

function withHeaders(headers: IncomingMessage['headers']): IncomingMessage {
  const request = new IncomingMessage(new Socket());
  request.headers = headers;
  return request;
}

describe('request ids', () => {
  it('are req_ and 32 hex digits, distinct every time and in the order they were made', () => {
    const newRequestId = createRequestIdGenerator();
    const ids = Array.from({ length: 20 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('differ between generators (processes)', () => {
    expect(createRequestIdGenerator()()).not.toBe(createRequestIdGenerator()());
  });

  it('keep an acceptable id the caller sent and replace one that is not', () => {
    const newRequestId = () => 'req_new';
    expect(requestIdOf(withHeaders({ 'x-request-id': 'caller-1' }), newRequestId)).toBe('caller-1');
    expect(requestIdOf(withHeaders({ 'request-id': 'caller:2' }), newRequestId)).toBe('caller:2');
    expect(requestIdOf(withHeaders({ 'x-request-id': 'bad id\r\n' }), newRequestId)).toBe('req_new');
    expect(requestIdOf(withHeaders({}), newRequestId)).toBe('req_new');
  });
});
