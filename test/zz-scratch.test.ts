import { it } from 'vitest';
import { startSdkFixture } from './support/sdk-fixture.js';

it('explore', async () => {
  const f = await startSdkFixture();
  for (const h of [{ 'x-mock-latency-ms': '5000' }, { 'x-mock-latency-ms': '200' }, { 'x-mock-latency-ms': '1000' }, {'x-mock-fault': 'latency=5000'}]) {
    const t = Date.now();
    const r = await fetch(`${f.gateway.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${f.gateway.masterKey}`, 'content-type': 'application/json', ...h }, body: JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'hi' }] }) });
    console.log(JSON.stringify(h), r.status, Date.now() - t, (await r.text()).slice(0, 300));
  }
  await f.close();
});
