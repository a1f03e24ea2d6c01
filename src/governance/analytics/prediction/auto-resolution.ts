import type { ResolveRequest } from '../../review/index.js';
import type { AutoResolveMode } from './model-settings.js';
import type { ReviewModel, ReviewPrediction } from './review-model.js';
import { automaticResolvedBy, automaticResolverKeyId } from './review-outcome-store.js';

/**
 * Whether a prediction resolves its review without a person: only when the operator turned it on
 * for that outcome (`auto_resolve`: approve, deny or both; off by default) and the probability of
 * the predicted outcome exceeds the threshold. The resolution names itself (`resolved_by:
 * gatehouse:prediction`) and says why in its note: the model, the probability, the threshold, the
 * model's held-out accuracy.
 */
export function automaticResolution(
  prediction: ReviewPrediction,
  model: Pick<ReviewModel, 'heldOutAccuracy' | 'heldOutSamples'>,
  settings: { readonly autoResolve: AutoResolveMode; readonly threshold: number },
): ResolveRequest | undefined {
  if (!allows(settings.autoResolve, prediction.outcome)) return undefined;
  if (!(prediction.probability > settings.threshold)) return undefined;
  return {
    status: prediction.outcome,
    resolvedBy: automaticResolvedBy,
    note:
      `resolved automatically: the review-outcome model ${prediction.modelVersion} predicted ` +
      `${prediction.outcome} with probability ${prediction.probability.toFixed(3)}, above the threshold ` +
      `${settings.threshold} (held-out accuracy ${model.heldOutAccuracy.toFixed(3)} on ${model.heldOutSamples} reviews)`,
    resolverKeyId: automaticResolverKeyId,
  };
}

function allows(mode: AutoResolveMode, outcome: ReviewPrediction['outcome']): boolean {
  switch (mode) {
    case 'off':
      return false;
    case 'both':
      return true;
    case 'approve':
      return outcome === 'approved';
    case 'deny':
      return outcome === 'denied';
    default: {
      const unknown: never = mode;
      throw new Error(`unknown auto_resolve mode ${String(unknown)}`);
    }
  }
}
