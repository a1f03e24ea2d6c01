import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import { mayUseModel, type Pipeline } from '../pipeline/index.js';
import { renderError } from './render-error.js';

export interface ModelListDependencies {
  readonly pipeline: Pipeline;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly modelNames: () => readonly string[];
}

/** Models carry no creation time of their own; the epoch is what Anthropic documents for "unknown". */
const created = 0;

function anthropicModel(id: string): Record<string, unknown> {
  return { type: 'model', id, display_name: id, created_at: new Date(created).toISOString() };
}

function openaiModel(id: string): Record<string, unknown> {
  return { id, object: 'model', created, owned_by: 'gatehouse' };
}

/** Anthropic's SDK sends `anthropic-version` on every request; OpenAI's never does. */
function speaksAnthropic(request: FastifyRequest): boolean {
  return typeof request.headers['anthropic-version'] === 'string';
}

/**
 * `GET /v1/models`: the model names the caller may use, in OpenAI's list shape, or Anthropic's
 * when the caller sends `anthropic-version` (as Anthropic's SDK does). `GET /v1/models/{id}`
 * (both SDKs' `models.retrieve`): one of them, or 404 in the caller's dialect, the same for a
 * model that does not exist and one the key may not use, so a key learns nothing of the others.
 */
export function registerModelListRoute(app: FastifyInstance, dependencies: ModelListDependencies): void {
  app.get('/v1/models', async (request, reply) => {
    const anthropic = speaksAnthropic(request);
    const codec = dependencies.codecs[anthropic ? 'anthropic' : 'openai'];
    const authenticated = await dependencies.pipeline.authenticate({ headers: request.headers });
    if (!authenticated.ok) return renderError(reply, codec, authenticated.error, request.id);
    const principal = authenticated.principal;
    const names = dependencies.modelNames().filter((name) => mayUseModel(principal, name));
    if (anthropic) {
      return reply.send({
        data: names.map(anthropicModel),
        has_more: false,
        first_id: names[0] ?? null,
        last_id: names.at(-1) ?? null,
      });
    }
    return reply.send({ object: 'list', data: names.map(openaiModel) });
  });

  // A wildcard, so that names with a slash (`openai/gpt-4o`) can be retrieved too.
  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request, reply) => {
    const anthropic = speaksAnthropic(request);
    const codec = dependencies.codecs[anthropic ? 'anthropic' : 'openai'];
    const authenticated = await dependencies.pipeline.authenticate({ headers: request.headers });
    if (!authenticated.ok) return renderError(reply, codec, authenticated.error, request.id);
    const id = request.params['*'];
    const known = dependencies.modelNames().includes(id) && mayUseModel(authenticated.principal, id);
    if (!known) {
      const error = new GatewayError('model_not_found', `The model '${id}' does not exist.`, {
        param: 'model',
      });
      return renderError(reply, codec, error, request.id);
    }
    return reply.send(anthropic ? anthropicModel(id) : openaiModel(id));
  });
}
