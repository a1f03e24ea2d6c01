import type { FastifyInstance } from 'fastify';

/** Readiness parts reported by `/health/ready`; each is checked without calling a provider. */
export interface Readiness {
  check(): Promise<{ ready: boolean; checks: Record<string, string> }>;
}

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  const up = { status: 'ok' };
  for (const path of ['/health', '/healthz', '/health/live']) {
    app.get(path, (_request, reply) => reply.send(up));
  }
  app.get('/health/ready', async (_request, reply) => {
    const { ready, checks } = await readiness.check();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
