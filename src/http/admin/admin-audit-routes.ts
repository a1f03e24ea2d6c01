import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import { authorizeAdmin, type AdminAuthenticator } from './admin-auth.js';
import { parseAuditQuery, type AuditLogFilter } from './admin-audit-query.js';

/** A record as the audit module shows it (its NDJSON line: snake_case fields and `hash`). */
export interface AuditRecordShown {
  readonly seq: number;
}

/** Reads a page of the log (the audit module's archive store, with its record view). */
export interface AuditLogReader {
  page(filter: AuditLogFilter): Promise<readonly AuditRecordShown[]>;
}

export interface AdminAuditRouteDependencies {
  readonly reader: AuditLogReader;
  readonly keys: AdminAuthenticator;
  /** The admin API answers errors in the OpenAI dialect. */
  readonly codec: DialectCodec;
  /** The values `type` may take. */
  readonly eventTypes: readonly string[];
}

/**
 * `GET /admin/audit`: the audit log, filtered (time and sequence ranges, type, tenant, actor,
 * action, trace id) and paged by sequence number — newest first unless `order=asc`; `next_cursor`
 * continues. Master key or admin-role keys only: the log names every agent, tenant and decision.
 */
export function registerAdminAuditRoutes(
  app: FastifyInstance,
  dependencies: AdminAuditRouteDependencies,
): void {
  const { reader, keys, codec } = dependencies;
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  app.get('/admin/audit', async (request, reply) => {
    const authorized = await authorizeAdmin(keys, request.headers);
    if (authorized.type === 'rejected') return fail(request, reply, authorized.error);
    const parsed = parseAuditQuery(request.query, dependencies.eventTypes);
    if (!parsed.ok) return fail(request, reply, parsed.error);
    const { filter } = parsed;
    let records: readonly AuditRecordShown[];
    try {
      // One more than asked tells whether another page follows.
      records = await reader.page({ ...filter, limit: filter.limit + 1 });
    } catch (error) {
      request.log.error({ err: error }, 'audit log query failed');
      const failure = new GatewayError(
        'service_unavailable',
        'The audit log is unavailable right now; try again shortly.',
        {
          cause: error,
        },
      );
      return fail(request, reply, failure);
    }
    const data = records.slice(0, filter.limit);
    const hasMore = records.length > filter.limit;
    const last = data.at(-1);
    return reply.send({
      object: 'list',
      data,
      has_more: hasMore,
      next_cursor: hasMore && last !== undefined ? String(last.seq) : null,
    });
  });
}
