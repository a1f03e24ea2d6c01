import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockServer } from '../src/providers/mock/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * A streamed request whose caller did not ask for usage is still accounted with real token
 * counts: the gateway asks the upstream for its usage chunk and removes it (and the `usage: null`
 * fields it causes) before the caller sees the stream.
 */
describe('streaming usage is captured without changing the caller stream', () => {
  let mock: Awaited<ReturnType<typeof startMockServer>>;
  let gateway: TestGateway;

  beforeAll(async () => {
    mock = await startMockServer({ port: 0, host: '127.0.0.1' });
    gateway = await startTestGateway({
      providers: { upstream: { type: 'openai-compatible', base_url: `${mock.url}/v1` } },
      models: { plain: { targets: [{ provider: 'upstream', model: 'mock-plain' }] } },
    });
  });
  afterAll(async () => {
    await gateway.close();
    await mock.close();
  });

  async function frames(url: string, headers: Record<string, string>): Promise<string[]> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        model: 'mock-plain',
        stream: true,
        messages: [{ role: 'user', content: 'Count me' }],
      }),
    });
    expect(response.status).toBe(200);
    return (await response.text()).split('\n\n').filter((frame) => frame.startsWith('data: '));
  }

  it('the caller receives the same frames as from the upstream directly, and the log has the tokens', async () => {
    const direct = await frames(`${mock.url}/v1/chat/completions`, {});
    const viaGateway = await frames(`${gateway.url}/v1/chat/completions`, {
      authorization: `Bearer ${gateway.masterKey}`,
    });
    const shape = (frame: string) =>
      frame === 'data: [DONE]'
        ? frame
        : JSON.stringify({ ...JSON.parse(frame.slice(6)), id: 'x', created: 0 });
    expect(viaGateway.map(shape)).toEqual(direct.map(shape));
    expect(viaGateway.some((frame) => frame.includes('"usage"'))).toBe(false);

    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = gateway.logRecords().find((record) => record.msg === 'request' && record.stream === true);
    expect(line?.input_tokens).toBeGreaterThan(0);
    expect(line?.output_tokens).toBeGreaterThan(0);
  });
});
