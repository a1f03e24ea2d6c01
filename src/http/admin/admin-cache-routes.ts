import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** What `/admin/cache` needs, declared structurally so http/ imports nothing from caching/. */
export interface AdminCacheOperations {
  inspect(): Promise<object>;
  purge(selector: {
    readonly scope?: string | undefined;
    readonly model?: string | undefined;
  }): Promise<object>;
}

/** The same shape as the usage routes' `AdminAuthorization`, so one function serves both. */
export type AdminCacheAuthorization =
  { readonly ok: true } | { readonly ok: false; readonly error: GatewayError };

export interface AdminCacheRoutesDependencies {
  readonly cache: AdminCacheOperations;
  /** ok for the master key or an admin-role key; otherwise the error to send (401 or 403). */
  readonly authorizeAdmin: (headers: Headers) => AdminCacheAuthorization | Promise<AdminCacheAuthorization>;
  /** Admin errors are written in the OpenAI dialect. */
  readonly codec: DialectCodec;
  readonly audit?: { info(details: Record<string, unknown>, message: string): void } | undefined;
}

type PurgeRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>;

const scopePattern = /^(key|team):\S{1,200}$/;

/**
 * `GET /admin/cache`: counters and sizes per layer. `DELETE /admin/cache?scope=team:x&model=m`:
 * purges one scope (`key:<id>` or `team:<name>`), one model, or both at once; `?all=true` purges
 * everything, and must be said explicitly so that a forgotten parameter does not empty the cache.
 */
export function registerAdminCacheRoutes(
  app: FastifyInstance,
  dependencies: AdminCacheRoutesDependencies,
): void {
  const { cache, codec, audit } = dependencies;

  async function authorized(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const verdict = await dependencies.authorizeAdmin(request.headers);
    if (verdict.ok) return true;
    await renderError(reply, codec, verdict.error, request.id);
    return false;
  }

  app.get('/admin/cache', async (request, reply) => {
    if (!(await authorized(request, reply))) return reply;
    return reply.header('cache-control', 'no-store').send(snakeCase(await cache.inspect()));
  });

  app.delete('/admin/cache', async (request: PurgeRequest, reply) => {
    if (!(await authorized(request, reply))) return reply;
    const selector = purgeSelector(request.query);
    if (selector instanceof GatewayError) return renderError(reply, codec, selector, request.id);
    const purged = await cache.purge(selector);
    audit?.info({ request_id: request.id, action: 'cache.purge', ...selector }, 'admin action');
    return reply
      .header('cache-control', 'no-store')
      .send({ purged: snakeCase(purged), scope: selector.scope ?? null, model: selector.model ?? null });
  });
}

function purgeSelector(query: Record<string, unknown>): { scope?: string; model?: string } | GatewayError {
  for (const name of Object.keys(query)) {
    if (name !== 'scope' && name !== 'model' && name !== 'all') {
      return new GatewayError('invalid_request', `Unknown parameter ${name}: use scope, model or all=true.`, {
        param: name,
      });
    }
  }
  const scope = single(query.scope, 'scope');
  const model = single(query.model, 'model');
  const all = single(query.all, 'all');
  for (const value of [scope, model, all]) if (value instanceof GatewayError) return value;
  if (typeof scope === 'string' && !scopePattern.test(scope)) {
    return new GatewayError('invalid_request', 'scope must be key:<key id> or team:<team name>.', {
      param: 'scope',
    });
  }
  if (typeof model === 'string' && (model === '' || model.length > 256)) {
    return new GatewayError('invalid_request', 'model must be a model name of 1 to 256 characters.', {
      param: 'model',
    });
  }
  if (all !== undefined && all !== 'true') {
    return new GatewayError('invalid_request', 'all must be true when given.', { param: 'all' });
  }
  if (scope === undefined && model === undefined && all === undefined) {
    return new GatewayError(
      'invalid_request',
      'Say what to purge: scope, model, or all=true for everything.',
    );
  }
  if (all !== undefined && (scope !== undefined || model !== undefined)) {
    return new GatewayError(
      'invalid_request',
      'all=true purges everything; it cannot be combined with scope or model.',
      {
        param: 'all',
      },
    );
  }
  return {
    ...(typeof scope === 'string' ? { scope } : {}),
    ...(typeof model === 'string' ? { model } : {}),
  };
}

function single(value: unknown, name: string): string | undefined | GatewayError {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return new GatewayError('invalid_request', `${name} may be given once.`, { param: name });
}

/** The admin API speaks snake_case, as the configuration and the usage reports do. */
function snakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCase);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [
      name.replaceAll(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      snakeCase(item),
    ]),
  );
}
