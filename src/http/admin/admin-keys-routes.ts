import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import type { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import { authorizeAdmin, type AdminAuthenticator, type AdminPrincipal } from './admin-auth.js';

export type AdminOutcome<T> =
  { readonly type: 'ok'; readonly value: T } | { readonly type: 'rejected'; readonly error: GatewayError };

/** A key as shown to admins: a JSON object with an `id` (the keys module's KeyView). */
export interface AdminKeyRecord {
  readonly id: string;
}

/**
 * The operations behind `/admin/keys`, declared structurally so http/ imports nothing from keys/.
 * `by` is the admin's key id, for the audit trail.
 */
export interface AdminKeyOperations extends AdminAuthenticator {
  create(
    body: unknown,
    by?: string,
  ): Promise<AdminOutcome<{ readonly secret: string; readonly key: AdminKeyRecord }>>;
  list(): Promise<AdminOutcome<readonly AdminKeyRecord[]>>;
  show(id: string): Promise<AdminOutcome<AdminKeyRecord>>;
  update(id: string, body: unknown, by?: string): Promise<AdminOutcome<AdminKeyRecord>>;
  revoke(id: string, by?: string): Promise<AdminOutcome<AdminKeyRecord>>;
}

/** Where admin actions are recorded: who did what to which key (never a secret). */
export interface AdminAuditLog {
  info(details: Record<string, unknown>, message: string): void;
}

export interface AdminKeyRoutesDependencies {
  readonly keys: AdminKeyOperations;
  /** Admin errors are written in the OpenAI dialect. */
  readonly codec: DialectCodec;
  readonly audit?: AdminAuditLog;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * `/admin/keys`: create (the secret is in this one answer), list, show, update, revoke. Every
 * route needs the master key or an admin-role key.
 */
export function registerAdminKeyRoutes(app: FastifyInstance, dependencies: AdminKeyRoutesDependencies): void {
  const { keys, codec, audit } = dependencies;

  /** Authorises, runs the operation and writes its answer or its error. */
  async function handle<T extends object>(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: (principal: AdminPrincipal) => Promise<AdminOutcome<T>>,
    respond: (value: T, principal: AdminPrincipal) => FastifyReply,
  ): Promise<FastifyReply> {
    const authorized = await authorizeAdmin(keys, request.headers);
    if (authorized.type === 'rejected') return renderError(reply, codec, authorized.error, request.id);
    const outcome = await operation(authorized.principal);
    if (outcome.type === 'rejected') return renderError(reply, codec, outcome.error, request.id);
    return respond(outcome.value, authorized.principal);
  }

  function record(action: string, principal: AdminPrincipal, keyId: string, requestId: string): void {
    audit?.info({ request_id: requestId, action, key_id: keyId, by: principal.keyId }, 'admin action');
  }

  app.post('/admin/keys', (request, reply) =>
    handle(
      request,
      reply,
      (principal) => keys.create(request.body, principal.keyId),
      (created, principal) => {
        record('key.create', principal, created.key.id, request.id);
        // The secret must not be kept by any cache between here and the caller.
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ ...created.key, key: created.secret });
      },
    ),
  );

  app.get('/admin/keys', (request, reply) =>
    handle(
      request,
      reply,
      () => keys.list(),
      (list) => reply.send({ object: 'list', data: list }),
    ),
  );

  app.get('/admin/keys/:id', (request: IdRequest, reply) =>
    handle(
      request,
      reply,
      () => keys.show(request.params.id),
      (key) => reply.send(key),
    ),
  );

  app.patch('/admin/keys/:id', (request: IdRequest, reply) =>
    handle(
      request,
      reply,
      (principal) => keys.update(request.params.id, request.body, principal.keyId),
      (key, principal) => {
        record('key.update', principal, key.id, request.id);
        return reply.send(key);
      },
    ),
  );

  const revoke = (request: IdRequest, reply: FastifyReply) =>
    handle(
      request,
      reply,
      (principal) => keys.revoke(request.params.id, principal.keyId),
      (key, principal) => {
        record('key.revoke', principal, key.id, request.id);
        return reply.send(key);
      },
    );
  app.post('/admin/keys/:id/revoke', revoke);
  app.delete('/admin/keys/:id', revoke);
}
