import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createChildCache } from './metrics-children.js';
import { boundedReading, type AnalyticsFigures } from './metrics-analytics.js';
import { defineMetrics, type InFlight, type MetricSources } from './metrics-definitions.js';
import { createLabelGuard } from './metrics-label-guard.js';
import { createRoutingMetrics, type RoutingEvents } from './metrics-router-observer.js';

export interface MetricsOptions {
  /** Model names the gateway serves: configured names and their targets' models. */
  readonly knownModels: Iterable<string>;
  /** Key ids currently issued; asked only about key ids not seen before. */
  readonly knownKeys?: () => Iterable<string>;
  /** Agent ids of keys (and grants) that authenticated: kept as `agent` labels however many. */
  readonly knownAgents?: () => Iterable<string>;
  readonly knownProviders?: Iterable<string>;
  /** Targets as routing names them (`provider/model`); their breakers start reported as closed. */
  readonly knownTargets?: Iterable<string>;
  /** Distinct values a label admits beyond its known ones before folding the rest into `other`. */
  readonly maxLabelValues?: number;
  readonly sources?: MetricSources;
  /** A monotonic clock in milliseconds (`performance.now` unless a test supplies one). */
  readonly now?: () => number;
}

/** Tracks one HTTP request from its arrival to the end of its response. */
export interface HttpRequestTracker {
  /** The response is a stream: counted in flight until `finished`. */
  streamStarted(): void;
  /** Idempotent: only the first call counts. */
  finished(outcome: { readonly status: number }): void;
}

export interface RequestMetricsRecord {
  readonly keyId: string | undefined;
  /** The model the caller asked for. */
  readonly model: string | undefined;
  /** The provider that answered (undefined when none did, e.g. a cache hit). */
  readonly provider: string | undefined;
  readonly usage:
    | { readonly inputTokens: number; readonly outputTokens: number; readonly cachedInputTokens: number }
    | undefined;
  readonly costUsd?: number | undefined;
  /** Upstream attempts; 0 when the request never reached routing. */
  readonly attempts: number;
  /** Gateway time before the upstream call; undefined when the request never reached routing. */
  readonly overheadMs?: number | undefined;
}

/** One agent authorization decision, as metrics see it. */
export interface AgentDecisionRecord {
  /** `allow`, `deny`, `human_review` or `read_only`: what enforcement decides. */
  readonly decision: string;
  /** The part that decided: `policy`, `confidence`, `risk` or `injection`. */
  readonly reasonClass: string;
  /** Undefined when the request carried no usable confidence. */
  readonly confidence: number | undefined;
  readonly risk: number;
  readonly latencySeconds: number;
}

/** The models of governance analytics, as the prediction metrics label them. */
export type PredictionModelLabel = 'review_outcome' | 'confidence_calibration';

/** A model's figures after a training (undefined accuracy: no model). */
export interface PredictionModelFigures {
  readonly inUse: boolean;
  readonly heldOutAccuracy: number | undefined;
  readonly trainingSamples: number;
  readonly heldOutSamples: number;
}

/** What became of one notification on one channel (or of one try of it: `retried`). */
export type NotificationOutcome = 'delivered' | 'failed' | 'retried' | 'dropped';

/** Where a value the PII detector found was masked. */
export type PiiDetectionPlace = 'request' | 'answer' | 'log' | 'trace';

/** `unknown` while the limiter does not say which limit refused. */
export type RateLimitKind = 'requests' | 'tokens' | 'concurrency' | 'global' | 'unknown';
export type BudgetScopeType = 'key' | 'team';
/** What the tool firewall did with a tool call (docs/tool-firewall.md). */
export type FirewallDecision = 'allowed' | 'approved' | 'denied' | 'held' | 'failed';

export type { AnalyticsFigures } from './metrics-analytics.js';

export interface Metrics {
  requestStarted(request: {
    readonly route: string;
    readonly method: string;
    readonly stream?: boolean;
  }): HttpRequestTracker;
  /** Tokens, cost, attempts and overhead of a finished request. */
  requestRecord(record: RequestMetricsRecord): void;
  rateLimited(limit: RateLimitKind): void;
  budgetExceeded(scopeType: BudgetScopeType): void;
  /** The share of a budget already spent (0..1, above 1 when overspent), as the limiter last saw it. */
  budgetUsed(scope: string, ratio: number): void;
  cacheResult(layer: string, result: string): void;
  agentDecided(record: AgentDecisionRecord): void;
  /** A person's authorization check: `allow`, `deny`, `human_review` or `read_only`. */
  userDecided(decision: string): void;
  /** What happened to a human review on this replica. */
  reviewed(outcome: 'queued' | 'approved' | 'denied' | 'expired'): void;
  /** Where `gatehouse_agent_reviews_pending` reads the queue's pending count when scraped. */
  readPendingReviewsFrom(read: () => Promise<number>): void;
  /** One prediction (`approved`, `denied`) or calibration (`calibrated`) and its latency. */
  predicted(model: PredictionModelLabel, outcome: string, latencySeconds: number): void;
  /** A model's figures after a training on this replica. */
  predictionModelTrained(model: PredictionModelLabel, figures: PredictionModelFigures): void;
  /** A review the review-outcome model resolved. */
  reviewAutoResolved(outcome: 'approved' | 'denied'): void;
  /** A decision was sent to human review; `reason` is the part that asked (policy, confidence, risk). */
  humanReviewQueued(reason: string): void;
  /** A delegation request's outcome (`granted`, `refused`). */
  delegated(delegator: string, delegatee: string, outcome: string): void;
  /** Where the reputation, anomaly and policy effectiveness gauges read analytics when scraped. */
  readAnalyticsFrom(read: () => AnalyticsFigures): void;
  /** Counts `count` (default 1; 0 makes the series exist) notifications of a channel by outcome. */
  notificationOutcome(channel: string, outcome: NotificationOutcome, count?: number): void;
  notificationQueueDepth(channel: string, depth: number): void;
  /** A grant was made in a delegation swarm that now has `agents` distinct agents. */
  swarmJoined(agents: number): void;
  /** What an operation on a grant came to (`granted`, `refused`, `used`, ...). */
  swarmOperation(outcome: string): void;
  /** A prompt injection detected: where the text came from, and what the guard did. */
  guardDetected(source: string, action: string): void;
  /** The highest injection score of one guard check. */
  guardScored(source: string, score: number): void;
  /** How long one guard check took: `request`, `args` or `scan`. */
  guardScanned(check: string, seconds: number): void;
  /** A guard check whose detector failed: `failed_open` or `failed_closed`. */
  guardFailed(check: string, outcome: string): void;
  /** What the tool firewall did with one tool call. */
  firewallToolCall(decision: FirewallDecision): void;
  /** A value of a kind (`email`, `card`, ...) the PII detector found and masked, and where. */
  piiDetected(type: string, where: PiiDetectionPlace): void;
  /** Structurally a `RouterObserver` (routing/observer.ts). */
  routerObserver(): RoutingEvents;
  render(): Promise<string>;
  readonly contentType: string;
  readonly registry: Registry;
}

const httpMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const unknownStatus = { status: 'other', statusClass: 'other' };
/** Label values computed once, so that a finished request does not format its status. */
const statusLabels = Array.from({ length: 600 }, (_, status) =>
  status < 100 ? unknownStatus : { status: String(status), statusClass: `${Math.floor(status / 100)}xx` },
);

export function createMetrics(options: MetricsOptions): Metrics {
  const maxLabelValues = options.maxLabelValues ?? 200;
  const now = options.now ?? (() => performance.now());
  const registry = new Registry();
  // Process metrics (CPU, memory, event loop lag, GC) on this registry only, never the global one.
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const inFlight: InFlight = { requests: 0, streams: 0 };
  const metrics = defineMetrics(registry, options.sources ?? {}, inFlight);

  const guard = (known?: Iterable<string> | (() => Iterable<string>), budget = maxLabelValues) =>
    createLabelGuard(known === undefined ? { budget } : { budget, known });
  const guards = {
    route: guard(),
    method: guard(httpMethods, 0),
    key: guard(options.knownKeys),
    model: guard(options.knownModels),
    provider: guard(options.knownProviders),
    target: guard(options.knownTargets),
    errorClass: guard(undefined, 50),
    reason: guard(undefined, 20),
    scope: guard(),
    layer: guard(undefined, 20),
    cacheResult: guard(undefined, 20),
    limit: guard(undefined, 20),
    decision: guard(undefined, 10),
    reasonClass: guard(undefined, 10),
    // Channel names come from the configuration: bounded, and never a secret.
    channel: guard(undefined, 50),
    swarmOutcome: guard(undefined, 10),
    // The guard's label values are the guard's own closed sets; bounded all the same.
    guardSource: guard(undefined, 10),
    guardAction: guard(undefined, 10),
    guardCheck: guard(undefined, 10),
    guardOutcome: guard(undefined, 10),
    predictionOutcome: guard(undefined, 10),
    // Agents with keys always pass (their number is the number of agent keys); others up to the budget.
    agent: guard(options.knownAgents),
    // Policy ids come from the policy text an administrator writes.
    policy: guard(),
    delegationOutcome: guard(undefined, 10),
    // The detector's kinds: a closed list of a dozen.
    piiType: guard(undefined, 20),
  };
  for (const target of options.knownTargets ?? []) metrics.breakerState.labels(target).set(0);
  const routing = createRoutingMetrics(metrics, guards);

  // One lookup for the four series a finished request adds to.
  const accountChildren = createChildCache(([key = '', model = '', provider = '']) => ({
    prompt: metrics.tokens.labels(key, model, provider, 'prompt'),
    completion: metrics.tokens.labels(key, model, provider, 'completion'),
    cached: metrics.tokens.labels(key, model, provider, 'cached'),
    cost: metrics.cost.labels(key, model, provider),
  }));
  // Unlabelled series exist from the start, so a scrape shows them at zero before any traffic.
  const attemptsSeries = metrics.attempts.labels();
  const overheadSeries = metrics.overhead.labels();
  const agentSeries = {
    confidence: metrics.agentConfidence.labels(),
    risk: metrics.agentRisk.labels(),
    duration: metrics.agentDecisionDuration.labels(),
    swarmAgents: metrics.swarmAgents.labels(),
  };

  function requestStarted(request: {
    readonly route: string;
    readonly method: string;
    readonly stream?: boolean;
  }) {
    const startedAt = now();
    const route = guards.route.value(request.route);
    const method = guards.method.value(request.method);
    let stream = request.stream === true;
    let streaming = false;
    let done = false;
    inFlight.requests += 1;
    if (stream) {
      streaming = true;
      inFlight.streams += 1;
    }
    return {
      streamStarted() {
        if (done || streaming) return;
        stream = true;
        streaming = true;
        inFlight.streams += 1;
      },
      finished(outcome: { readonly status: number }) {
        if (done) return;
        done = true;
        inFlight.requests -= 1;
        if (streaming) inFlight.streams -= 1;
        const labels = statusLabels[outcome.status] ?? unknownStatus;
        metrics.httpRequests.labels(route, method, labels.status, labels.statusClass).inc();
        const seconds = (now() - startedAt) / 1000;
        metrics.httpDuration
          .labels(route, method, labels.statusClass, stream ? 'true' : 'false')
          .observe(Math.max(0, seconds));
      },
    };
  }

  function requestRecord(record: RequestMetricsRecord) {
    if (record.attempts > 0) attemptsSeries.observe(record.attempts);
    if (isCount(record.overheadMs)) overheadSeries.observe(record.overheadMs / 1000);
    const { usage, costUsd } = record;
    // Nothing used and nothing spent (refused by a limit, or no provider answered): no series, so
    // refused requests do not add zero-valued token and cost series under provider `none`.
    if (usage === undefined && (costUsd === undefined || costUsd === 0)) return;
    const children = accountChildren.get(
      guards.key.value(record.keyId ?? 'none'),
      guards.model.value(record.model ?? 'none'),
      guards.provider.value(record.provider ?? 'none'),
    );
    if (usage !== undefined) {
      if (isCount(usage.inputTokens)) children.prompt.inc(usage.inputTokens);
      if (isCount(usage.outputTokens)) children.completion.inc(usage.outputTokens);
      if (isCount(usage.cachedInputTokens)) children.cached.inc(usage.cachedInputTokens);
    }
    if (isCount(costUsd)) children.cost.inc(costUsd);
  }

  return {
    requestStarted,
    requestRecord,
    rateLimited(limit) {
      metrics.rateLimitRejections.labels(guards.limit.value(limit)).inc();
    },
    budgetExceeded(scopeType) {
      metrics.budgetRejections.labels(scopeType).inc();
    },
    budgetUsed(scope, ratio) {
      if (Number.isFinite(ratio)) metrics.budgetUsed.labels(guards.scope.value(scope)).set(ratio);
    },
    cacheResult(layer, result) {
      metrics.cacheRequests.labels(guards.layer.value(layer), guards.cacheResult.value(result)).inc();
    },
    agentDecided(record) {
      metrics.agentDecisions
        .labels(guards.decision.value(record.decision), guards.reasonClass.value(record.reasonClass))
        .inc();
      if (record.confidence !== undefined && Number.isFinite(record.confidence))
        agentSeries.confidence.observe(record.confidence);
      if (Number.isFinite(record.risk)) agentSeries.risk.observe(record.risk);
      if (isCount(record.latencySeconds)) agentSeries.duration.observe(record.latencySeconds);
    },
    userDecided(decision) {
      metrics.userDecisions.labels(guards.decision.value(decision)).inc();
    },
    reviewed(outcome) {
      metrics.reviews.labels(outcome).inc();
    },
    readPendingReviewsFrom(read) {
      inFlight.pendingReviews = read;
    },
    predicted(model, outcome, latencySeconds) {
      metrics.predictions.labels(model, guards.predictionOutcome.value(outcome)).inc();
      if (isCount(latencySeconds)) metrics.predictionLatency.labels(model).observe(latencySeconds);
    },
    predictionModelTrained(model, figures) {
      metrics.predictionInUse.labels(model).set(figures.inUse ? 1 : 0);
      metrics.predictionSamples.labels(model, 'training').set(figures.trainingSamples);
      metrics.predictionSamples.labels(model, 'held_out').set(figures.heldOutSamples);
      // No model, no accuracy: a stale figure would claim a quality nothing has any more.
      if (figures.heldOutAccuracy === undefined) metrics.predictionAccuracy.remove(model);
      else metrics.predictionAccuracy.labels(model).set(figures.heldOutAccuracy);
    },
    reviewAutoResolved(outcome) {
      metrics.predictionAutoResolutions.labels(outcome).inc();
    },
    humanReviewQueued(reason) {
      metrics.humanReviews.labels(guards.reasonClass.value(reason)).inc();
    },
    delegated(delegator, delegatee, outcome) {
      metrics.delegations
        .labels(
          guards.agent.value(delegator),
          guards.agent.value(delegatee),
          guards.delegationOutcome.value(outcome),
        )
        .inc();
    },
    readAnalyticsFrom(read) {
      inFlight.analytics = () => boundedReading(read(), guards.agent, guards.policy);
    },
    notificationOutcome(channel, outcome, count = 1) {
      metrics.notifications.labels(guards.channel.value(channel), outcome).inc(count);
    },
    notificationQueueDepth(channel, depth) {
      metrics.notificationQueueDepth.labels(guards.channel.value(channel)).set(depth);
    },
    swarmJoined(agents) {
      if (isCount(agents)) agentSeries.swarmAgents.observe(agents);
    },
    swarmOperation(outcome) {
      metrics.swarmOperations.labels(guards.swarmOutcome.value(outcome)).inc();
    },
    guardDetected(source, action) {
      metrics.guardDetections
        .labels(guards.guardSource.value(source), guards.guardAction.value(action))
        .inc();
    },
    guardScored(source, score) {
      if (Number.isFinite(score)) metrics.guardScore.labels(guards.guardSource.value(source)).observe(score);
    },
    guardScanned(check, seconds) {
      if (isCount(seconds)) metrics.guardScanDuration.labels(guards.guardCheck.value(check)).observe(seconds);
    },
    guardFailed(check, outcome) {
      metrics.guardErrors.labels(guards.guardCheck.value(check), guards.guardOutcome.value(outcome)).inc();
    },
    firewallToolCall(decision) {
      metrics.firewallToolCalls.labels(decision).inc();
    },
    piiDetected(type, where) {
      metrics.piiDetections.labels(guards.piiType.value(type), where).inc();
    },
    routerObserver: () => routing,
    render: () => registry.metrics(),
    contentType: registry.contentType,
    registry,
  };
}

/**
 * A NaN or negative figure (malformed usage from a provider) would corrupt a counter for the life
 * of the process; it costs one data point instead.
 */
function isCount(value: number | undefined): value is number {
  return value !== undefined && Number.isFinite(value) && value >= 0;
}
