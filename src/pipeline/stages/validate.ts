import type { DialectCodec, Validation } from '../../dialects/index.js';
import type { Dialect } from '../../llm/index.js';
import { proceed, type RequestStage } from '../stage.js';

export interface ValidateStageDependencies {
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly validateEmbeddings: (body: Record<string, unknown>) => Validation;
}

/** The body's structure in the caller's dialect; a valid body leaves its summary on the call. */
export function createValidateStage(dependencies: ValidateStageDependencies): RequestStage {
  const { codecs, validateEmbeddings } = dependencies;
  return {
    name: 'validate',
    run(call) {
      const { context } = call;
      const validation =
        context.operation === 'chat'
          ? codecs[context.dialect].validateChatRequest(context.body)
          : validateEmbeddings(context.body);
      if (!validation.ok) return { type: 'reject', error: validation.error };
      call.summary = validation.summary;
      return proceed;
    },
  };
}
