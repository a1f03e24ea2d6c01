import { describeKind, FieldProblem, finiteNumber, isRecord, ownField, unitNumber } from './field-problem.js';

/**
 * `confidence_signal`: checked for shape and range here, so that converting it to a confidence
 * (`decisions/confidence.ts`) cannot fail. Each provider needs the field it is converted from:
 * OpenAI and Anthropic send log-probabilities, Bedrock probabilities, a local model either
 * probabilities or an entropy.
 */

export const confidenceProviders = ['openai', 'anthropic', 'bedrock', 'local'] as const;
export type ConfidenceProvider = (typeof confidenceProviders)[number];

/** What the model's own output says about its certainty; checked for range, not yet converted. */
export interface ConfidenceSignal {
  readonly provider: ConfidenceProvider;
  /** Natural-log token probabilities, each ≤ 0 (OpenAI, Anthropic). */
  readonly tokenLogprobs: readonly number[] | undefined;
  /** Token probabilities in [0, 1] (Bedrock, local models). */
  readonly tokenProbabilities: readonly number[] | undefined;
  /** Predictive entropy, 0 ≤ entropy ≤ entropyMax (local models). */
  readonly entropy: number | undefined;
  /** The entropy's maximum; Lelu's default when unset is 1. */
  readonly entropyMax: number | undefined;
}

const providers: readonly ConfidenceProvider[] = confidenceProviders;
const field = 'confidence_signal';

function tokenList(
  value: unknown,
  name: string,
  maxTokens: number,
  check: (token: number, path: string) => FieldProblem | undefined,
): readonly number[] | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  const path = `${field}.${name}`;
  if (!Array.isArray(value))
    return new FieldProblem(path, `${path} must be a list of numbers, got ${describeKind(value)}`);
  if (value.length === 0) return new FieldProblem(path, `${path} must not be empty`);
  if (value.length > maxTokens) return new FieldProblem(path, `${path} has more than ${maxTokens} tokens`);
  const tokens: number[] = [];
  for (let index = 0; index < value.length; index += 1) {
    const token = finiteNumber(value[index] as unknown, `${path}[${index}]`);
    if (token instanceof FieldProblem) return token;
    const problem = check(token, `${path}[${index}]`);
    if (problem !== undefined) return problem;
    tokens.push(token);
  }
  return Object.freeze(tokens);
}

const logprobCheck = (token: number, path: string) =>
  token > 0
    ? new FieldProblem(path, `${path} must be <= 0 (a natural-log probability), got ${token}`)
    : undefined;
const probabilityCheck = (token: number, path: string) => {
  const problem = unitNumber(token, path);
  return problem instanceof FieldProblem ? problem : undefined;
};

function entropyFrom(
  signal: Record<string, unknown>,
): { entropy?: number; entropyMax?: number } | FieldProblem {
  const rawEntropy = ownField(signal, 'entropy');
  const rawMax = ownField(signal, 'entropy_max');
  if (rawEntropy === undefined || rawEntropy === null) {
    if (rawMax === undefined || rawMax === null) return {};
    return new FieldProblem(`${field}.entropy_max`, `${field}.entropy_max needs ${field}.entropy`);
  }
  const entropy = finiteNumber(rawEntropy, `${field}.entropy`);
  if (entropy instanceof FieldProblem) return entropy;
  const entropyMax =
    rawMax === undefined || rawMax === null ? 1 : finiteNumber(rawMax, `${field}.entropy_max`);
  if (entropyMax instanceof FieldProblem) return entropyMax;
  if (entropyMax <= 0)
    return new FieldProblem(`${field}.entropy_max`, `${field}.entropy_max must be > 0, got ${entropyMax}`);
  if (entropy < 0 || entropy > entropyMax)
    return new FieldProblem(
      `${field}.entropy`,
      `${field}.entropy must be in [0, entropy_max] (entropy_max ${entropyMax}${rawMax === undefined || rawMax === null ? ', the default' : ''}), got ${entropy}`,
    );
  return rawMax === undefined || rawMax === null ? { entropy } : { entropy, entropyMax };
}

/** The field each provider's confidence is computed from, if the signal lacks it. */
function missingSource(signal: ConfidenceSignal): string | undefined {
  switch (signal.provider) {
    case 'openai':
    case 'anthropic':
      return signal.tokenLogprobs === undefined ? 'token_logprobs' : undefined;
    case 'bedrock':
      return signal.tokenProbabilities === undefined ? 'token_probabilities' : undefined;
    case 'local':
      return signal.tokenProbabilities === undefined && signal.entropy === undefined
        ? 'token_probabilities or entropy'
        : undefined;
  }
}

export function signalFrom(value: unknown, maxTokens: number): ConfidenceSignal | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value))
    return new FieldProblem(field, `${field} must be an object, got ${describeKind(value)}`);
  const provider = ownField(value, 'provider');
  if (typeof provider !== 'string' || !(providers as readonly string[]).includes(provider))
    return new FieldProblem(`${field}.provider`, `${field}.provider must be one of ${providers.join(', ')}`);
  const tokenLogprobs = tokenList(
    ownField(value, 'token_logprobs'),
    'token_logprobs',
    maxTokens,
    logprobCheck,
  );
  if (tokenLogprobs instanceof FieldProblem) return tokenLogprobs;
  const tokenProbabilities = tokenList(
    ownField(value, 'token_probabilities'),
    'token_probabilities',
    maxTokens,
    probabilityCheck,
  );
  if (tokenProbabilities instanceof FieldProblem) return tokenProbabilities;
  const entropy = entropyFrom(value);
  if (entropy instanceof FieldProblem) return entropy;
  const signal: ConfidenceSignal = Object.freeze({
    provider: provider as ConfidenceProvider,
    tokenLogprobs,
    tokenProbabilities,
    entropy: entropy.entropy,
    entropyMax: entropy.entropyMax,
  });
  const missing = missingSource(signal);
  if (missing === undefined) return signal;
  return new FieldProblem(field, `${field} from provider ${signal.provider} needs ${missing}`);
}
