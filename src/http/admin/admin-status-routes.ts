import type { FastifyInstance } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { renderError } from '../render-error.js';
import type { AdminAuthorization } from './admin-usage-routes.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface AdminStatusDependencies {
  readonly authorizeAdmin: (headers: Headers) => AdminAuthorization | Promise<AdminAuthorization>;
  readonly codec: DialectCodec;
  /** The configuration with every secret masked. */
  readonly maskedConfig: () => object;
  /** Providers, their targets' circuit breakers, and shared-state health. */
  readonly status: () => object | Promise<object>;
}

/** `GET /admin/config` (masked) and `GET /admin/providers` (breakers, Redis, database, usage writer). */
export function registerAdminStatusRoutes(app: FastifyInstance, dependencies: AdminStatusDependencies): void {
  const guarded =
    (produce: () => object | Promise<object>) =>
    async (request: { headers: Headers; id: string }, reply: Parameters<typeof renderError>[0]) => {
      const authorization = await dependencies.authorizeAdmin(request.headers);
      if (!authorization.ok) return renderError(reply, dependencies.codec, authorization.error, request.id);
      return reply.send(await produce());
    };
  app.get('/admin/config', guarded(dependencies.maskedConfig));
  app.get('/admin/providers', guarded(dependencies.status));
}
