/**
 * Span attribute names. The GenAI semantic conventions are still "development" status, so they
 * live in `@opentelemetry/semantic-conventions/incubating`, which may rename them in any minor
 * release; OpenTelemetry advises copying the names one uses instead of importing that entry point.
 * Pinned here to semantic conventions 1.37+ (where `gen_ai.provider.name` joined `gen_ai.system`).
 */
export const GenAiAttribute = {
  operationName: 'gen_ai.operation.name',
  /** Deprecated by `gen_ai.provider.name` but still what most back ends (Langfuse included) read. */
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  requestTopP: 'gen_ai.request.top_p',
  requestStream: 'gen_ai.request.stream',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  usageCacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
} as const;

/** Stable OpenTelemetry attributes (HTTP, server, error) used alongside the GenAI ones. */
export const StandardAttribute = {
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
} as const;

/** The gateway's own attributes: what no convention covers (routing, accounting, caching). */
export const GatewayAttribute = {
  requestId: 'gatehouse.request_id',
  keyId: 'gatehouse.key_id',
  provider: 'gatehouse.provider',
  target: 'gatehouse.target',
  attempts: 'gatehouse.attempts',
  attemptOutcome: 'gatehouse.attempt.outcome',
  failureKind: 'gatehouse.attempt.failure_kind',
  cache: 'gatehouse.cache',
  costUsd: 'gatehouse.cost_usd',
} as const;

/** Langfuse reads a generation's input and output from these (it does not read gen_ai.input.messages). */
export const LangfuseAttribute = {
  observationInput: 'langfuse.observation.input',
  observationOutput: 'langfuse.observation.output',
} as const;

export type AttributeValue = string | number | boolean | readonly string[] | readonly number[];
export type TraceAttributes = Readonly<Record<string, AttributeValue | undefined>>;

/** `gen_ai.provider.name` well-known values for the gateway's provider types. */
const providerNames: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure.ai.openai',
  anthropic: 'anthropic',
};

/** The GenAI provider name for a provider type; types with no well-known value keep their own name. */
export function genAiProviderName(providerType: string): string {
  return providerNames[providerType] ?? providerType;
}

/**
 * Request parameters as the GenAI conventions name them, read from a request body in either
 * dialect (OpenAI and Anthropic share `max_tokens`, `temperature`, `top_p` and `stream`).
 * Never reads the messages.
 */
export function genAiRequestAttributes(body: Readonly<Record<string, unknown>>): TraceAttributes {
  return {
    [GenAiAttribute.requestMaxTokens]: numberOf(body.max_completion_tokens) ?? numberOf(body.max_tokens),
    [GenAiAttribute.requestTemperature]: numberOf(body.temperature),
    [GenAiAttribute.requestTopP]: numberOf(body.top_p),
    [GenAiAttribute.requestStream]: body.stream === true ? true : undefined,
  };
}

export interface UsageFigures {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
}

export function genAiUsageAttributes(usage: UsageFigures | undefined): TraceAttributes {
  if (usage === undefined) return {};
  return {
    [GenAiAttribute.usageInputTokens]: usage.inputTokens,
    [GenAiAttribute.usageOutputTokens]: usage.outputTokens,
    [GenAiAttribute.usageCacheReadInputTokens]: usage.cachedInputTokens,
  };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
