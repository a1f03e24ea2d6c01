import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { authorizeAdmin, type AdminAuthenticator } from '../admin/admin-auth.js';
import { renderError } from '../render-error.js';
import {
  parsePolicyBody,
  parseRollbackBody,
  versionView,
  type PolicyChangeOutcome,
  type PolicyOperations,
  type StoredPolicyVersion,
} from './policy-bodies.js';

export interface PolicyRoutesDependencies {
  readonly policies: PolicyOperations;
  readonly keys: AdminAuthenticator;
  /** Errors are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
}

const policyPaths = new Set(['/v1/policy', '/v1/policy/validate']);

/**
 * `GET|PUT /v1/policy`, `POST /v1/policy/validate`, `GET /v1/policy/versions[/:version]` and
 * `POST /v1/policy/rollback`: the Cedar policy set, Lelu's contract plus history and rollback.
 * Every route needs the master key or an admin-role key (the text is configuration; agents learn
 * the digest from each decision). `PUT` takes the policy itself as `text/plain`, or JSON
 * `{ "policy": "…", "comment"?: "…" }`.
 */
export function registerPolicyRoutes(app: FastifyInstance, dependencies: PolicyRoutesDependencies): void {
  const { policies, keys, codec } = dependencies;
  registerPlainTextBodies(app);

  async function admin(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
    const authorized = await authorizeAdmin(keys, request.headers);
    if (authorized.type === 'authenticated') return authorized.principal.keyId;
    renderError(reply, codec, authorized.error, request.id);
    return undefined;
  }
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  app.get('/v1/policy', async (request, reply) => {
    if ((await admin(request, reply)) === undefined) return reply;
    const current = await policies.current();
    if (current === undefined)
      return fail(request, reply, new GatewayError('not_found', 'No policy is stored yet.'));
    return reply.header('etag', `"${current.digest}"`).send(versionView(current, true));
  });

  app.put('/v1/policy', async (request, reply) => {
    const author = await admin(request, reply);
    if (author === undefined) return reply;
    const body = parsePolicyBody(request.body, request.query);
    if (body.type === 'rejected') return fail(request, reply, body.error);
    const ifMatch = ifMatchOf(request.headers['if-match']);
    const outcome = await policies.put(body.policy, { ifMatch, authorKeyId: author, comment: body.comment });
    return answerChange(request, reply, outcome);
  });

  app.post('/v1/policy/validate', async (request, reply) => {
    if ((await admin(request, reply)) === undefined) return reply;
    const body = parsePolicyBody(request.body, request.query);
    if (body.type === 'rejected') return fail(request, reply, body.error);
    const validation = policies.validate(body.policy);
    if (validation.type === 'invalid') return fail(request, reply, invalidPolicy(validation.message));
    return reply.send({ valid: true, digest: validation.digest, policy_ids: validation.policyIds });
  });

  app.get('/v1/policy/versions', async (request, reply) => {
    if ((await admin(request, reply)) === undefined) return reply;
    const versions = await policies.versions();
    return reply.send({ object: 'list', data: versions.map((version) => versionView(version, false)) });
  });

  app.get(
    '/v1/policy/versions/:version',
    async (request: FastifyRequest<{ Params: { version: string } }>, reply) => {
      if ((await admin(request, reply)) === undefined) return reply;
      const number = /^[1-9][0-9]{0,9}$/.test(request.params.version)
        ? Number(request.params.version)
        : undefined;
      const found = number === undefined ? undefined : await policies.version(number);
      if (found === undefined) {
        return fail(
          request,
          reply,
          new GatewayError('not_found', `No policy version ${request.params.version}.`),
        );
      }
      return reply.send(versionView(found, true));
    },
  );

  app.post('/v1/policy/rollback', async (request, reply) => {
    const author = await admin(request, reply);
    if (author === undefined) return reply;
    const body = parseRollbackBody(request.body);
    if (body.type === 'rejected') return fail(request, reply, body.error);
    const ifMatch = ifMatchOf(request.headers['if-match']);
    const outcome = await policies.rollback(body.version, {
      ifMatch,
      authorKeyId: author,
      comment: body.comment,
    });
    return answerChange(request, reply, outcome);
  });

  function answerChange(
    request: FastifyRequest,
    reply: FastifyReply,
    outcome: PolicyChangeOutcome,
  ): FastifyReply {
    switch (outcome.type) {
      case 'stored':
        return reply
          .header('etag', `"${outcome.version.digest}"`)
          .send(changeView(outcome.version, outcome.previous));
      case 'stale':
        return fail(request, reply, staleError(outcome.current?.digest));
      case 'invalid':
        return fail(request, reply, invalidPolicy(outcome.message));
      case 'unknown_version':
        return fail(
          request,
          reply,
          new GatewayError('not_found', `No policy version ${outcome.version}.`, { param: 'version' }),
        );
      default: {
        const unknown: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
      }
    }
  }
}

function changeView(version: StoredPolicyVersion, previous: StoredPolicyVersion | undefined): object {
  return {
    ...versionView(version, false),
    previous_digest: previous?.digest ?? null,
    previous_version: previous?.version ?? null,
    loaded_at: new Date(version.createdAt).toISOString(),
  };
}

function invalidPolicy(message: string): GatewayError {
  return new GatewayError('invalid_request', `The policy is not valid Cedar: ${message}`, {
    param: 'policy',
  });
}

function staleError(current: string | undefined): GatewayError {
  return new GatewayError(
    'precondition_failed',
    `The policy changed since it was read (current digest ${current ?? 'none'}); GET /v1/policy and retry.`,
  );
}

/** `If-Match: <digest>`, `"<digest>"` or `*`; absent: no precondition (Lelu's behaviour). */
export function ifMatchOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined || value.trim() === '') return undefined;
  return value.trim().replace(/^"(.*)"$/, '$1');
}

/**
 * `text/plain` bodies, for the policy routes only (every other route takes JSON and answers 415
 * to anything else, as before). Read as bytes so invalid UTF-8 is refused, not replaced.
 */
function registerPlainTextBodies(app: FastifyInstance): void {
  app.addContentTypeParser(/^text\/plain(\s*;.*)?$/i, { parseAs: 'buffer' }, (request, body, done) => {
    if (!policyPaths.has(request.routeOptions.url ?? '')) {
      done(
        Object.assign(new Error('unsupported media type'), {
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          statusCode: 415,
        }),
        undefined,
      );
      return;
    }
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(new GatewayError('invalid_request', 'The policy is not valid UTF-8.'), undefined);
      return;
    }
    done(null, bytes.toString('utf8'));
  });
}
