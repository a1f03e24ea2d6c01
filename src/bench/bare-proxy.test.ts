import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startMockServer } from '../providers/mock/index.js';
import { startBareProxy, type BareProxy } from './bare-proxy.js';
import { chatBody } from './chat-bodies.js';
import { countEvents } from './target-check.js';

describe('the bare proxy', () => {
  let mock: Awaited<ReturnType<typeof startMockServer>>;
  let proxy: BareProxy;

  beforeAll(async () => {
    mock = await startMockServer({ port: 0, host: '127.0.0.1' });
    proxy = await startBareProxy({ upstreamUrl: mock.url });
  });
  afterAll(async () => {
    await proxy.close();
    await mock.close();
  });

  it('relays an answer byte for byte, status and headers included', async () => {
    const body = chatBody('mock-bench', false);
    const init = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, body };
    const direct = await request(`${mock.url}/v1/chat/completions`, init);
    const relayed = await request(`${proxy.url}/v1/chat/completions`, init);
    expect(relayed.statusCode).toBe(direct.statusCode);
    expect(relayed.headers['content-type']).toBe(direct.headers['content-type']);
    expect(await relayed.body.text()).toBe(await direct.body.text());
  });

  it('relays a stream event by event', async () => {
    const response = await request(`${proxy.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody('mock-bench', true),
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(200);
    expect(text).toContain('data: [DONE]');
    expect(countEvents(text)).toBeGreaterThan(10);
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const orphan = await startBareProxy({ upstreamUrl: 'http://127.0.0.1:1' });
    try {
      const response = await request(`${orphan.url}/v1/models`);
      expect(response.statusCode).toBe(502);
      await response.body.dump();
    } finally {
      await orphan.close();
    }
  });
});
