import {
  defaultMaxOutputTokens,
  estimatePromptTokensFast,
  type CostCalculator,
} from '../../accounting/index.js';
import type { RequestSummary } from '../../dialects/index.js';
import type { Dialect } from '../../llm/index.js';
import { budgetPeriod, budgetScope, type BudgetCheck, type LimitRequest } from '../../limits/index.js';
import type { Principal } from '../context.js';

/** The targets a model name may be answered by (its own, then its fallbacks'), for budget estimates. */
export type TargetsOf = (model: string) => readonly {
  readonly provider: { readonly name: string; readonly type: string };
  readonly model: string;
}[];

export interface LimitRequestInput {
  readonly principal: Principal;
  readonly dialect: Dialect;
  readonly operation: 'chat' | 'embeddings';
  readonly summary: RequestSummary;
  readonly body: Readonly<Record<string, unknown>>;
  readonly now: number;
}

/**
 * What the limiter is asked for one request. Tokens reserved up front are the prompt (estimated at
 * four characters per token) plus the output the request allows (`max_tokens`), corrected with the
 * real usage afterwards. The budget estimate is an upper bound: the prompt plus the most output the
 * request may produce, at the price of the dearest target that may answer it.
 */
export function limitRequestFor(
  input: LimitRequestInput,
  costs: CostCalculator,
  targetsOf: TargetsOf,
): LimitRequest {
  const { principal, body, dialect } = input;
  const promptTokens = estimatePromptTokensFast(body, dialect);
  const declaredOutput = input.operation === 'chat' ? (input.summary.maxOutputTokens ?? 0) : 0;
  return {
    subject: principal.keyId,
    limits: principal.limits,
    estimatedTokens: promptTokens + declaredOutput,
    budget: budgetFor(input, costs, targetsOf, promptTokens),
    now: input.now,
  };
}

function budgetFor(
  input: LimitRequestInput,
  costs: CostCalculator,
  targetsOf: TargetsOf,
  promptTokens: number,
): BudgetCheck | undefined {
  const budget = input.principal.budget;
  if (budget === undefined) return undefined;
  const { summary } = input;
  // The most output the request may produce: its own bound (or a guess) for each answer it asks for.
  const outputTokens =
    input.operation === 'chat' ? (summary.maxOutputTokens ?? defaultMaxOutputTokens) * summary.choices : 0;
  // Priced at the dearest target that may answer (weights and fail-over decide which does).
  const { model } = input.summary;
  const targets = targetsOf(model);
  const estimatedCostUsd =
    targets.length === 0
      ? costs.upperBound(undefined, model, promptTokens, outputTokens)
      : Math.max(
          ...targets.map((target) =>
            costs.upperBound(target.provider, target.model, promptTokens, outputTokens),
          ),
        );
  // Keys of one team draw on one budget: the team's.
  const team = input.principal.team;
  const scope = budgetScope(team === undefined ? { keyId: input.principal.keyId } : { team });
  const period =
    budget.period === 'total'
      ? { periodStart: 0, periodEnd: Number.POSITIVE_INFINITY }
      : budgetPeriod(budget.period, input.now);
  return { scope, limitUsd: budget.usd, ...period, period: budget.period, estimatedCostUsd };
}
