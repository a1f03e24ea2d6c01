import type { ModelResolver } from './model-resolver.js';
import { resolveModels } from './model-links.js';
import { orderTargets } from './target-order.js';
import type { TargetStats } from './target-stats.js';
import type { ModelRoute, Target } from './types.js';

export interface Candidate {
  readonly route: ModelRoute;
  readonly target: Target;
}

/**
 * The order in which one request tries targets: the model's targets in strategy order, then each
 * fallback model's. A prompt too long for a model (by its configured context window, or by the
 * provider's verdict) jumps to the model's context fallbacks instead.
 */
export class CandidatePlan {
  private readonly models: ModelRoute[];
  private targets: readonly Target[] = [];
  private current: ModelRoute | undefined;
  private readonly visited = new Set<string>();
  /** A model was skipped because the prompt exceeds its context window. */
  skippedForContext = false;

  constructor(
    first: ModelRoute,
    private readonly resolver: ModelResolver,
    private readonly stats: TargetStats,
    private readonly random: () => number,
    private readonly promptTokens: () => number,
  ) {
    this.models = [first];
  }

  next(): Candidate | undefined {
    for (;;) {
      const target = this.targets[0];
      if (target !== undefined && this.current !== undefined) {
        this.targets = this.targets.slice(1);
        return { route: this.current, target };
      }
      const model = this.models.shift();
      if (model === undefined) return undefined;
      if (this.visited.has(model.name)) continue;
      this.visited.add(model.name);
      if (model.contextWindow !== undefined && this.promptTokens() > model.contextWindow) {
        this.skippedForContext = true;
        this.toContextFallbacks(model);
        continue;
      }
      this.current = model;
      this.targets = orderTargets(model, this.stats, this.random);
      this.models.push(...resolveModels(this.resolver, model.fallbacks));
    }
  }

  /**
   * The provider said the prompt is too long: skip the model's other targets and its ordinary
   * fallbacks; only its context fallbacks remain. False when it has none.
   */
  skipToContextFallbacks(): boolean {
    const model = this.current;
    if (model === undefined) return false;
    this.targets = [];
    this.models.length = 0;
    return this.toContextFallbacks(model);
  }

  private toContextFallbacks(model: ModelRoute): boolean {
    const larger = resolveModels(this.resolver, model.contextFallbacks);
    this.models.unshift(...larger);
    return larger.length > 0;
  }
}
