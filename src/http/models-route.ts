import type { FastifyInstance } from 'fastify';
import type { DialectCodec } from '../dialects/codec.js';
import type { Dialect } from '../llm/index.js';
import { mayUseModel, type Pipeline } from '../pipeline/index.js';
import { renderError } from './render-error.js';

export interface ModelListDependencies {
  readonly pipeline: Pipeline;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly modelNames: () => readonly string[];
}

/**
 * `GET /v1/models`: the model names the caller may use, in OpenAI's list shape, or Anthropic's
 * when the caller sends `anthropic-version` (as Anthropic's SDK does).
 */
export function registerModelListRoute(app: FastifyInstance, dependencies: ModelListDependencies): void {
  app.get('/v1/models', async (request, reply) => {
    const anthropic = typeof request.headers['anthropic-version'] === 'string';
    const codec = dependencies.codecs[anthropic ? 'anthropic' : 'openai'];
    const authenticated = await dependencies.pipeline.authenticate({ headers: request.headers });
    if (!authenticated.ok) return renderError(reply, codec, authenticated.error, request.id);
    const principal = authenticated.principal;
    const names = dependencies.modelNames().filter((name) => mayUseModel(principal, name));
    const created = 0;
    if (anthropic) {
      return reply.send({
        data: names.map((id) => ({
          type: 'model',
          id,
          display_name: id,
          created_at: new Date(created).toISOString(),
        })),
        has_more: false,
        first_id: names[0] ?? null,
        last_id: names.at(-1) ?? null,
      });
    }
    return reply.send({
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', created, owned_by: 'gatehouse' })),
    });
  });
}
