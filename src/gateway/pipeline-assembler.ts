import type { ResponseCaching } from '../caching/index.js';
import { validateEmbeddingsRequest, type DialectCodec } from '../dialects/index.js';
import type { Limiter } from '../limits/index.js';
import type { Dialect } from '../llm/index.js';
import { createPipeline, createRequestLogger, type Pipeline, type StageSlots } from '../pipeline/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import type { Logger, Metrics, Tracing } from '../telemetry/index.js';
import type { AccountingParts } from './accounting-assembler.js';
import type { KeyParts } from './access-assembler.js';
import type { Contribution } from './assembly.js';
import type { RoutingParts } from './routing-assembler.js';
import { describeProviders } from './telemetry-assembler.js';

export interface PipelineNeeds {
  /** The slots the areas assembled before the pipeline filled. */
  readonly stages: StageSlots;
  readonly logger: Logger;
  /** Masks credentials and personal data in text the request log keeps (a provider's message). */
  readonly maskLogText: (text: string) => string;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly keys: KeyParts;
  readonly limiter: Limiter;
  readonly caching: ResponseCaching | undefined;
  readonly accounting: AccountingParts;
  readonly routing: RoutingParts;
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
}

/**
 * The request pipeline. Closing it waits for the accounting of requests that finished (tokens
 * still being counted), so it runs after the HTTP drain and before the usage writer closes.
 */
export function assemblePipeline(needs: PipelineNeeds): Contribution<Pipeline> {
  const pipeline = createPipeline({
    authenticator: needs.keys.authenticator,
    limiter: needs.limiter,
    caching: needs.caching,
    metrics: needs.metrics,
    tracing: needs.tracing,
    accounting: needs.accounting.accounting,
    targetsOf: needs.routing.answeringTargets,
    router: needs.routing.router,
    codecs: needs.codecs,
    describeProvider: describeProviders(needs.providers),
    validateEmbeddings: validateEmbeddingsRequest,
    requestLog: createRequestLogger(needs.logger, { mask: needs.maskLogText }),
    stages: needs.stages,
  });
  return { parts: pipeline, close: () => pipeline.drain() };
}
