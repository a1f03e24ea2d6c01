import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';
import { parseExposition, sample } from './metrics-exposition.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';

describe('metrics server', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves GET /metrics in the Prometheus text format without authentication', async () => {
    const metrics = createMetrics({ knownModels: [] });
    metrics.rateLimited('requests');
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics });
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics?ignored=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    const samples = parseExposition(await response.text());
    expect(sample(samples, 'gatehouse_rate_limit_rejections_total', { limit: 'requests' })).toBe(1);
  });

  it('answers 404 to every other path and method', async () => {
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createMetrics({ knownModels: [] }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/extra`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('answers 500 when the metrics cannot be rendered', async () => {
    const failing = {
      contentType: 'text/plain',
      render: () => Promise.reject(new Error('collector failed')),
    };
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: failing });
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('collector failed');
  });

  it('refuses to start on a port already taken', async () => {
    server = await startMetricsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: createMetrics({ knownModels: [] }),
    });
    await expect(
      startMetricsServer({
        host: '127.0.0.1',
        port: server.port,
        metrics: createMetrics({ knownModels: [] }),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
