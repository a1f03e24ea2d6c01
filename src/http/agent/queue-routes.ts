import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import {
  cursorOf,
  itemView,
  parseItemQuery,
  parsePendingQuery,
  parseResolveBody,
  parseWaitTimeout,
  type QueueItem,
  type QueueOperations,
  type QueuePrediction,
} from './queue-bodies.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Who is asking: the keys module's Principal carries these. */
export interface QueueCaller {
  readonly keyId: string;
  readonly role: 'user' | 'admin' | 'reviewer';
  readonly agentId: string | undefined;
}

type Authenticated =
  | { readonly type: 'authenticated'; readonly principal: QueueCaller }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface QueueCallers {
  authenticate(headers: Headers): Authenticated | Promise<Authenticated>;
}

export interface QueueRoutesDependencies {
  readonly queue: QueueOperations;
  readonly keys: QueueCallers;
  /** Errors are written in the OpenAI dialect, like the other agent routes'. */
  readonly codec: DialectCodec;
  /** The review-outcome model's prediction for an item, shown to reviewers; absent: none shown. */
  readonly predict?: (item: QueueItem) => QueuePrediction | undefined;
}

/**
 * A reviewer (the master key, admin and reviewer keys) reads and resolves every item; a key bound
 * to an agent reads and waits on its agent's items only (Lelu's SDK waits with the agent's key)
 * and never resolves, whatever its role; any other key may do neither.
 */
export type QueueAccess =
  | { readonly type: 'reviewer'; readonly keyId: string }
  | { readonly type: 'agent'; readonly agentId: string };

const notReviewer = new GatewayError(
  'permission_denied',
  'This API key may not use the review queue: it needs the admin or reviewer role, or to be bound to an agent (to read its own reviews).',
);
const agentMayNotResolve = new GatewayError(
  'permission_denied',
  "A key bound to an agent may not approve or deny reviews, not even its own agent's; use a reviewer or admin key.",
);

export function queueAccess(principal: QueueCaller): QueueAccess | GatewayError {
  if (principal.agentId !== undefined) return { type: 'agent', agentId: principal.agentId };
  if (principal.role === 'admin' || principal.role === 'reviewer')
    return { type: 'reviewer', keyId: principal.keyId };
  return notReviewer;
}

function notFound(id: string): GatewayError {
  return new GatewayError('not_found', `No review ${JSON.stringify(id)} (by review id or trace id).`, {
    param: 'id',
  });
}

/** What a caller may not see is not found, so ids of other agents' or tenants' items leak nothing. */
function visible(item: QueueItem, access: QueueAccess, tenantId: string | undefined): boolean {
  if (tenantId !== undefined && item.tenantId !== tenantId) return false;
  return access.type === 'reviewer' || item.actor === access.agentId;
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * The human-review queue (Lelu's routes): `GET /v1/queue/pending`, `GET /v1/queue/{id}`,
 * `GET /v1/queue/{id}/wait?timeout_ms=` (200 resolved, 408 still pending, each with the item) and
 * `POST /v1/queue/{id}/approve|deny` (`{success: true}`; 409 with the standing outcome when already
 * resolved). `{id}` is the review id or the trace id of the decision that created the item.
 */
export function registerQueueRoutes(app: FastifyInstance, dependencies: QueueRoutesDependencies): void {
  const { queue, keys, codec, predict } = dependencies;
  // The prediction is advice for reviewers: an agent's key could otherwise probe the model with
  // variations of its actions until one looks likely to be approved.
  const view = (item: QueueItem, access: QueueAccess) =>
    itemView(item, access.type === 'reviewer' ? predict?.(item) : undefined);
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);
  // A replica that shuts down answers its waits at once (408, still pending): the drain does not
  // wait a minute for them, and the caller's next wait goes to a replica that stays.
  const waits = new Set<AbortController>();
  app.addHook('preClose', (done) => {
    for (const wait of waits) wait.abort();
    done();
  });

  async function accessOf(request: FastifyRequest, reply: FastifyReply): Promise<QueueAccess | undefined> {
    const authenticated = await keys.authenticate(request.headers);
    const access =
      authenticated.type === 'rejected' ? authenticated.error : queueAccess(authenticated.principal);
    if (!(access instanceof GatewayError)) return access;
    fail(request, reply, access);
    return undefined;
  }

  /** The item the caller names and may see, or the error already sent. */
  async function itemFor(
    request: IdRequest,
    reply: FastifyReply,
    access: QueueAccess,
    tenantId: string | undefined,
  ): Promise<QueueItem | undefined> {
    const { id } = request.params;
    const item = id.length > 200 ? undefined : await queue.find(id);
    if (item !== undefined && visible(item, access, tenantId)) return item;
    fail(request, reply, notFound(id));
    return undefined;
  }

  app.get('/v1/queue/pending', async (request, reply) => {
    const access = await accessOf(request, reply);
    if (access === undefined) return reply;
    const query = parsePendingQuery(request.query as Record<string, unknown>);
    if (query.type === 'rejected') return fail(request, reply, query.error);
    let { filter } = query;
    if (access.type === 'agent') {
      if (filter.actor !== undefined && filter.actor !== access.agentId)
        return fail(request, reply, otherAgent(access.agentId));
      filter = { ...filter, actor: access.agentId };
    }
    const items = await queue.listPending(filter);
    const last = items.at(-1);
    return reply.send({
      items: items.map((item) => view(item, access)),
      count: items.length,
      ...(last !== undefined && items.length === filter.limit ? { next_cursor: cursorOf(last) } : {}),
    });
  });

  app.get('/v1/queue/:id', async (request: IdRequest, reply) => {
    const access = await accessOf(request, reply);
    if (access === undefined) return reply;
    const query = parseItemQuery(request.query as Record<string, unknown>);
    if (query.type === 'rejected') return fail(request, reply, query.error);
    const item = await itemFor(request, reply, access, query.tenantId);
    return item === undefined ? reply : reply.send(view(item, access));
  });

  app.get('/v1/queue/:id/wait', async (request: IdRequest, reply) => {
    const access = await accessOf(request, reply);
    if (access === undefined) return reply;
    const queryValues = request.query as Record<string, unknown>;
    const query = parseItemQuery(queryValues, ['timeout_ms']);
    if (query.type === 'rejected') return fail(request, reply, query.error);
    const timeout = parseWaitTimeout(queryValues);
    if (timeout.type === 'rejected') return fail(request, reply, timeout.error);
    const item = await itemFor(request, reply, access, query.tenantId);
    if (item === undefined) return reply;
    // A caller that leaves stops its wait (and its subscription) at once.
    const ended = new AbortController();
    reply.raw.once('close', () => ended.abort());
    waits.add(ended);
    const outcome = await queue
      .wait(item, timeout.timeoutMs, ended.signal)
      .finally(() => waits.delete(ended));
    return reply.code(outcome.type === 'resolved' ? 200 : 408).send(view(outcome.item, access));
  });

  for (const [verb, status] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    app.post(`/v1/queue/:id/${verb}`, async (request: IdRequest, reply) => {
      const access = await accessOf(request, reply);
      if (access === undefined) return reply;
      if (access.type === 'agent') return fail(request, reply, agentMayNotResolve);
      const query = parseItemQuery(request.query as Record<string, unknown>);
      if (query.type === 'rejected') return fail(request, reply, query.error);
      const body = parseResolveBody(request.body);
      if (body.type === 'rejected') return fail(request, reply, body.error);
      // The tenant check comes before the write: an item of another tenant is never resolved.
      const item = await itemFor(request, reply, access, query.tenantId);
      if (item === undefined) return reply;
      const outcome = await queue.resolve(item.id, {
        status,
        resolvedBy: body.resolvedBy ?? access.keyId,
        note: body.note,
        resolverKeyId: access.keyId,
      });
      switch (outcome.type) {
        case 'resolved':
          return reply.send({ success: true, item: view(outcome.item, access) });
        case 'already_resolved':
          return alreadyResolved(request, reply, outcome.item);
        case 'not_found':
          return fail(request, reply, notFound(request.params.id));
        default: {
          const unknown: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
        }
      }
    });
  }

  /** 409 in the usual error shape, with the outcome that stands beside it. */
  function alreadyResolved(request: FastifyRequest, reply: FastifyReply, item: QueueItem): FastifyReply {
    const error = new GatewayError(
      'conflict',
      `Review ${item.id} was already ${item.status} by ${item.resolvedBy ?? 'someone'}; a review is resolved once.`,
    );
    return reply
      .code(error.status)
      .header('content-type', 'application/json')
      .send({ ...codec.encodeError(error, request.id), item: itemView(item) });
  }
}

function otherAgent(agentId: string): GatewayError {
  return new GatewayError(
    'permission_denied',
    `This key is bound to agent ${JSON.stringify(agentId)} and may list only its reviews.`,
    { param: 'actor' },
  );
}
