import { vi } from 'vitest';
import { createUsageRecordIdGenerator, type UsageRecord } from '../accounting/index.js';
import { codecs, validateEmbeddingsRequest } from '../dialects/index.js';
import type { Principal } from '../keys/index.js';
import type { LimitDecision, Limiter } from '../limits/index.js';
import type { RouteOutcome, Router } from '../routing/index.js';
import { createMetrics, createTracing, type TracingSettings } from '../telemetry/index.js';
import type { RequestContext } from './context.js';
import { createPipeline, type PipelineDependencies } from './pipeline.js';
import type { RequestLogger } from './request-log.js';
import {
  createCall,
  proceed,
  type AnswerStage,
  type Call,
  type RequestStage,
  type StageResult,
} from './stage.js';
import type { StageSlots } from './stage-order.js';
import { createValidateStage } from './stages/validate.js';

/** Fakes for the pipeline's and the stages' unit tests (not part of the build). */

export const principal: Principal = {
  keyId: 'key_test',
  kind: 'virtual',
  name: 'test',
  role: 'user',
  tier: undefined,
  team: undefined,
  owner: undefined,
  agentId: undefined,
  models: [],
  limits: { requestsPerMinute: undefined, tokensPerMinute: undefined, concurrentRequests: undefined },
  budget: undefined,
  metadata: {},
};

export const usage = { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, cacheCreationInputTokens: 0 };
export const answered = { provider: 'mock', model: 'mock-model', attempts: 1 };
export const jsonOutcome: RouteOutcome = { type: 'json', answered, body: Buffer.from('{"id":"x"}'), usage };

export function context(body: Record<string, unknown> = {}): RequestContext {
  return {
    requestId: 'request-1',
    dialect: 'openai',
    operation: 'chat',
    headers: {},
    body: { model: 'mock', messages: [{ role: 'user', content: 'hi' }], ...body },
    signal: new AbortController().signal,
    receivedAt: performance.now(),
  };
}

/** A pipeline over fakes that write down what happened, in order. */
export function fakePipeline(
  slots: (events: string[]) => StageSlots = () => ({}),
  route: () => Promise<RouteOutcome> = () => Promise.resolve(jsonOutcome),
) {
  const events: string[] = [];
  const settle = vi.fn(() => Promise.resolve());
  const records: UsageRecord[] = [];
  const log = vi.fn<RequestLogger['log']>();
  const limiter = {
    acquire: (): Promise<LimitDecision> => {
      events.push('limit');
      return Promise.resolve({ type: 'admitted', lease: { settle }, headers: {} });
    },
  } as unknown as Limiter;
  const router: Router = {
    route: () => {
      events.push('route');
      return route();
    },
  };
  const dependencies: PipelineDependencies = {
    authenticator: {
      authenticate: () => {
        events.push('authenticate');
        return { type: 'authenticated', principal };
      },
    },
    limiter,
    caching: undefined,
    accounting: {
      costs: { costOf: () => 0.5, upperBound: () => 1 },
      usage: { record: (record) => records.push(record) },
      tokens: {} as PipelineDependencies['accounting']['tokens'],
      providerType: () => 'mock',
      newRecordId: createUsageRecordIdGenerator(),
    },
    targetsOf: () => [],
    router,
    codecs,
    validateEmbeddings: validateEmbeddingsRequest,
    requestLog: { log },
    metrics: createMetrics({ knownModels: [] }),
    tracing,
    stages: slots(events),
  };
  return { pipeline: createPipeline(dependencies), events, settle, records, log };
}

export function recording(name: string, events: string[], result: StageResult = proceed): RequestStage {
  return {
    name,
    run: () => {
      events.push(name);
      return result;
    },
  };
}

export function tagging(name: string, events: string[]): AnswerStage {
  return {
    name,
    wrap: (answer) => {
      events.push(name);
      return answer.type === 'json'
        ? { ...answer, body: Buffer.concat([answer.body, Buffer.from(name)]) }
        : answer;
    },
  };
}

export const tracing = createTracing({ mode: 'none' } as TracingSettings);

export function callFor(
  body: Record<string, unknown>,
  operation: RequestContext['operation'] = 'chat',
): Call {
  return createCall({ ...context(), operation, body }, undefined);
}

export const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50 };

/** A call as the stages before the limits leave it. */
export function validatedCall(body: Record<string, unknown> = chatBody): Call {
  const call = callFor(body);
  call.principal = { ...principal, models: ['gpt-*'] };
  const validated = createValidateStage({ codecs, validateEmbeddings: validateEmbeddingsRequest }).run(call);
  if (validated !== proceed) throw new Error('the body given is not valid');
  return call;
}
