import { it } from 'vitest';
import { startSdkFixture } from './support/sdk-fixture.js';

it('explore', async () => {
  const f = await startSdkFixture();
  const key = f.gateway.masterKey;
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    console.log(url, r.status, JSON.stringify(Object.fromEntries(r.headers)));
    console.log(await r.text());
  };
  for (const model of ['mock', 'gpt-via-openai', 'claude-via-anthropic']) {
    await post(`${f.gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'Hello there friend' }] });
    await post(`${f.gateway.url}/v1/chat/completions`, { model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hello there friend' }] });
    await post(`${f.gateway.url}/v1/messages`, { model, max_tokens: 100, messages: [{ role: 'user', content: 'Hello there friend' }] });
    await post(`${f.gateway.url}/v1/messages`, { model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hello there friend' }] });
  }
  await post(`${f.mock.url}/v1/chat/completions`, { model: 'mock-gpt', messages: [{ role: 'user', content: 'Hello there friend' }] });
  await f.close();
});
