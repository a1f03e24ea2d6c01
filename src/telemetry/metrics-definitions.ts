import { Gauge, type Registry } from 'prom-client';
import type { AnalyticsReading } from './metrics-analytics.js';
import { createCounterFamily, createHistogramFamily } from './metrics-families.js';

/**
 * Every metric the gateway exports, in one place (docs/observability.md lists them for operators;
 * the shipped dashboard and alert rules are checked against this registry). Names follow the
 * Prometheus conventions: a `gatehouse_` prefix, base units (seconds, USD), `_total` on counters.
 */

/** Readings taken at scrape time from components that keep their own figures. */
export interface MetricSources {
  /** The usage writer's figures (its `stats()` fits): records in memory, spill files on disk. */
  readonly usage?: () => {
    readonly buffered: number;
    readonly spooledFiles: number;
    readonly databaseAvailable: boolean;
  };
  /** The audit writer's figures, the same shape; absent when the audit log is disabled. */
  readonly audit?: () => {
    readonly buffered: number;
    readonly spooledFiles: number;
    readonly databaseAvailable: boolean;
  };
  /** The limiter's health: `degraded` says why limits currently fall back (e.g. Redis unreachable). */
  readonly limiterHealth?: () => { readonly degraded: string | undefined };
}

/**
 * Whole requests take from milliseconds (errors, cache hits) to minutes (long completions and
 * streams), so the buckets span both ends.
 */
const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Upstream response start and time to first token: typically 0.1 s to 30 s. */
const upstreamBuckets = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 20, 30, 60];
/** The gateway's own work before the upstream call: sub-millisecond when healthy. */
const overheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const attemptBuckets = [1, 2, 3, 4, 5, 6, 8, 10];
/** Confidence and risk are in [0, 1]; the gates and risk bands sit between 0.05 and 0.95. */
const unitBuckets = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];
/** Distinct agents in a delegation swarm: `governance.delegation.max_swarm_size` defaults to 10. */
const swarmBuckets = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100];
/**
 * A guard check is in-process scoring: microseconds for the phrase detector, up to tens of
 * milliseconds for a model over a long prompt.
 */
const guardScanBuckets = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
/** A prediction or a calibration is a few microseconds of arithmetic in memory. */
const predictionBuckets = [0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.001];
/** An agent decision is in-process work: tens of microseconds to a few milliseconds. */
const decisionBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/** Counts kept by the request path as plain numbers, read by their gauges when scraped. */
export interface InFlight {
  requests: number;
  streams: number;
  /** The review queue's pending count, read from the database at scrape time (set once assembled). */
  pendingReviews?: () => Promise<number>;
  /** Analytics' figures, read at scrape time (set once assembled), labels already bounded. */
  analytics?: () => AnalyticsReading;
}

export function defineMetrics(registry: Registry, sources: MetricSources, inFlight: Readonly<InFlight>) {
  const registers = [registry];
  const { usage, audit, limiterHealth } = sources;
  return {
    httpRequests: createCounterFamily(registry, {
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by route template, method, status code and status class.',
      labelNames: ['route', 'method', 'status', 'status_class'] as const,
    }),
    httpDuration: createHistogramFamily(registry, {
      name: 'gatehouse_http_request_duration_seconds',
      help: 'From the request arriving to the response ending (a stream counts until its last byte).',
      labelNames: ['route', 'method', 'status_class', 'stream'] as const,
      buckets: requestBuckets,
    }),
    requestsInFlight: new Gauge({
      registers,
      name: 'gatehouse_http_requests_in_flight',
      help: 'HTTP requests received and not yet answered completely.',
      collect() {
        this.set(inFlight.requests);
      },
    }),
    streamsInFlight: new Gauge({
      registers,
      name: 'gatehouse_streams_in_flight',
      help: 'Streaming responses currently being written.',
      collect() {
        this.set(inFlight.streams);
      },
    }),
    upstreamRequests: createCounterFamily(registry, {
      name: 'gatehouse_upstream_requests_total',
      help: 'Upstream attempts, by provider, target model, outcome and error class (none on success).',
      labelNames: ['provider', 'model', 'outcome', 'error_class'] as const,
    }),
    upstreamDuration: createHistogramFamily(registry, {
      name: 'gatehouse_upstream_request_duration_seconds',
      help: 'Upstream attempts: from sending the request until the response began (headers, or the first token of a stream).',
      labelNames: ['provider', 'model', 'outcome'] as const,
      buckets: upstreamBuckets,
    }),
    upstreamFirstToken: createHistogramFamily(registry, {
      name: 'gatehouse_upstream_time_to_first_token_seconds',
      help: 'Streaming upstream attempts: from sending the request to the first token.',
      labelNames: ['provider', 'model'] as const,
      buckets: upstreamBuckets,
    }),
    retries: createCounterFamily(registry, {
      name: 'gatehouse_upstream_retries_total',
      help: 'Retries of the same target after a retryable failure.',
      labelNames: ['provider', 'model'] as const,
    }),
    failovers: createCounterFamily(registry, {
      name: 'gatehouse_failovers_total',
      help: 'Moves from a target (provider/model) to the next candidate, by reason.',
      labelNames: ['target', 'reason'] as const,
    }),
    attempts: createHistogramFamily(registry, {
      name: 'gatehouse_request_attempts',
      help: 'Upstream attempts per request that reached routing.',
      buckets: attemptBuckets,
    }),
    breakerState: new Gauge({
      registers,
      name: 'gatehouse_circuit_breaker_state',
      help: 'Circuit breaker state per target (provider/model): 0 closed, 1 half-open, 2 open.',
      labelNames: ['target'] as const,
    }),
    breakerTransitions: createCounterFamily(registry, {
      name: 'gatehouse_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes per target, by the state entered.',
      labelNames: ['target', 'state'] as const,
    }),
    tokens: createCounterFamily(registry, {
      name: 'gatehouse_tokens_total',
      help: 'Tokens by key id, requested model, provider and type (prompt, completion, cached; cached is a subset of prompt).',
      labelNames: ['key', 'model', 'provider', 'type'] as const,
    }),
    cost: createCounterFamily(registry, {
      name: 'gatehouse_cost_usd_total',
      help: 'Spend in US dollars by key id, requested model and provider.',
      labelNames: ['key', 'model', 'provider'] as const,
    }),
    budgetUsed: new Gauge({
      registers,
      name: 'gatehouse_budget_used_ratio',
      help: 'Share of the current budget period already spent, per budget scope (key:<id> or team:<name>).',
      labelNames: ['scope'] as const,
    }),
    cacheRequests: createCounterFamily(registry, {
      name: 'gatehouse_cache_requests_total',
      help: 'Response cache lookups by layer and result.',
      labelNames: ['layer', 'result'] as const,
    }),
    rateLimitRejections: createCounterFamily(registry, {
      name: 'gatehouse_rate_limit_rejections_total',
      help: 'Requests refused with 429 by a rate limit, by the limit that refused them.',
      labelNames: ['limit'] as const,
    }),
    budgetRejections: createCounterFamily(registry, {
      name: 'gatehouse_budget_rejections_total',
      help: 'Requests refused because a budget was spent, by the kind of budget (key or team).',
      labelNames: ['scope_type'] as const,
    }),
    overhead: createHistogramFamily(registry, {
      name: 'gatehouse_gateway_overhead_seconds',
      help: "Time spent in the gateway itself before the upstream call began (authentication, limits, cache, routing), the upstream's own time excluded.",
      buckets: overheadBuckets,
    }),
    agentDecisions: createCounterFamily(registry, {
      name: 'gatehouse_agent_decisions_total',
      help: 'Agent authorization decisions by outcome (what enforcement decides, also in shadow mode) and the part that decided it (policy, confidence, risk, injection).',
      labelNames: ['decision', 'reason_class'] as const,
    }),
    userDecisions: createCounterFamily(registry, {
      name: 'gatehouse_user_decisions_total',
      help: "People's authorization checks (POST /v1/authorize) by what the policy decided (also in shadow mode).",
      labelNames: ['decision'] as const,
    }),
    agentConfidence: createHistogramFamily(registry, {
      name: 'gatehouse_agent_decision_confidence',
      help: 'The confidence agent decisions were made with (decisions without a usable confidence are not observed).',
      buckets: unitBuckets,
    }),
    agentRisk: createHistogramFamily(registry, {
      name: 'gatehouse_agent_decision_risk',
      help: 'The risk score of agent decisions.',
      buckets: unitBuckets,
    }),
    agentDecisionDuration: createHistogramFamily(registry, {
      name: 'gatehouse_agent_decision_duration_seconds',
      help: 'From an agent authorization request being read to its decision being made, the tenant rate check included.',
      buckets: decisionBuckets,
    }),
    reviews: createCounterFamily(registry, {
      name: 'gatehouse_agent_reviews_total',
      help: 'Human reviews by what happened to them on this replica: queued, approved, denied, expired.',
      labelNames: ['outcome'] as const,
    }),
    reviewsPending: new Gauge({
      registers,
      name: 'gatehouse_agent_reviews_pending',
      help: 'Reviews pending and not expired, read from the database when scraped (the same on every replica).',
      async collect() {
        // A failed read keeps the last value: the database's own health is reported elsewhere.
        const count = await inFlight.pendingReviews?.().catch(() => undefined);
        if (count !== undefined) this.set(count);
      },
    }),
    predictionAccuracy: new Gauge({
      registers,
      name: 'gatehouse_agent_prediction_accuracy',
      help: 'Accuracy of each model on the most recent reviews held out from its training, as of its last training on this replica; absent while there is no model.',
      labelNames: ['model'] as const,
    }),
    predictionSamples: new Gauge({
      registers,
      name: 'gatehouse_agent_prediction_samples',
      help: 'Reviews each model was trained on and measured on (set: training, held_out) at its last training on this replica; 0 while there is no model.',
      labelNames: ['model', 'set'] as const,
    }),
    predictionInUse: new Gauge({
      registers,
      name: 'gatehouse_agent_prediction_model_in_use',
      help: 'Whether each model is in use on this replica (1): the review model exists; the calibrator exists and is accurate enough for the gates.',
      labelNames: ['model'] as const,
    }),
    predictions: createCounterFamily(registry, {
      name: 'gatehouse_agent_predictions_total',
      help: 'Predictions made on this replica: review_outcome for each review queued (approved, denied), confidence_calibration for each confidence the gates calibrated (calibrated).',
      labelNames: ['model', 'outcome'] as const,
    }),
    predictionLatency: createHistogramFamily(registry, {
      name: 'gatehouse_agent_prediction_latency_seconds',
      help: 'Time to make one prediction or calibration, in memory.',
      labelNames: ['model'] as const,
      buckets: predictionBuckets,
    }),
    predictionAutoResolutions: createCounterFamily(registry, {
      name: 'gatehouse_agent_prediction_auto_resolutions_total',
      help: 'Reviews resolved automatically by the review-outcome model on this replica, by outcome (approved, denied).',
      labelNames: ['outcome'] as const,
    }),
    humanReviews: createCounterFamily(registry, {
      name: 'gatehouse_agent_human_reviews_total',
      help: 'Decisions sent to human review (not in shadow mode), by the part that asked for it: policy, confidence or risk.',
      labelNames: ['reason'] as const,
    }),
    delegations: createCounterFamily(registry, {
      name: 'gatehouse_agent_delegations_total',
      help: 'Delegation requests (POST /v1/agent/delegate) by delegator, delegatee and outcome (granted, refused).',
      labelNames: ['delegator', 'delegatee', 'outcome'] as const,
    }),
    agentReputation: new Gauge({
      registers,
      name: 'gatehouse_agent_reputation',
      help: 'Each agent’s reputation in [0, 1] from reviewer outcomes (0.5 while neutral), as this replica last computed it.',
      labelNames: ['agent'] as const,
      collect() {
        const reading = inFlight.analytics?.();
        if (reading === undefined) return;
        this.reset();
        for (const [agent, figures] of reading.agents) this.labels(agent).set(figures.reputation);
      },
    }),
    agentAnomaly: new Gauge({
      registers,
      name: 'gatehouse_agent_anomaly',
      help: 'Each agent’s anomaly score in [0, 1] against its own baseline (0 until it has one); absent with anomaly detection off.',
      labelNames: ['agent'] as const,
      collect() {
        const reading = inFlight.analytics?.();
        if (reading === undefined) return;
        this.reset();
        for (const [agent, figures] of reading.agents)
          if (figures.anomaly !== undefined) this.labels(agent).set(figures.anomaly);
      },
    }),
    policyEffectiveness: new Gauge({
      registers,
      name: 'gatehouse_policy_effectiveness',
      help: 'Per policy, the share of its reviewed decisions reviewers upheld (decayed), once it has enough reviews.',
      labelNames: ['policy'] as const,
      collect() {
        const reading = inFlight.analytics?.();
        if (reading === undefined) return;
        this.reset();
        for (const [policy, effectiveness] of reading.policies) this.labels(policy).set(effectiveness);
      },
    }),
    notifications: createCounterFamily(registry, {
      name: 'gatehouse_notifications_total',
      help: 'Notification deliveries per channel by outcome: delivered, failed (after its last try, or refused), retried (a try that will be repeated), dropped (a full queue or shutdown).',
      labelNames: ['channel', 'outcome'] as const,
    }),
    notificationQueueDepth: new Gauge({
      registers,
      name: 'gatehouse_notification_queue_depth',
      help: 'Notifications waiting for delivery per channel (those being delivered excluded).',
      labelNames: ['channel'] as const,
    }),
    swarmAgents: createHistogramFamily(registry, {
      name: 'gatehouse_swarm_agent_count',
      help: 'Distinct agents in a delegation swarm, observed each time a grant is made in it (no per-swarm labels: swarms are unbounded in number).',
      buckets: swarmBuckets,
    }),
    swarmOperations: createCounterFamily(registry, {
      name: 'gatehouse_swarm_operations_total',
      help: 'Operations on delegation grants by outcome: granted, refused, used (presented and in force), expired, timed_out, revoked (presented after revocation), cancelled (a revocation).',
      labelNames: ['outcome'] as const,
    }),
    guardDetections: createCounterFamily(registry, {
      name: 'gatehouse_guard_detections_total',
      help: 'Prompt injections detected, by where the text came from (input, tool_result, args, output) and what was done (log, flag, block; report on the scan routes).',
      labelNames: ['source', 'action'] as const,
    }),
    guardScore: createHistogramFamily(registry, {
      name: 'gatehouse_guard_score',
      help: 'The highest injection score of each check (a chat request, an agent request, a scanned text), by the source of that text.',
      labelNames: ['source'] as const,
      buckets: unitBuckets,
    }),
    guardScanDuration: createHistogramFamily(registry, {
      name: 'gatehouse_guard_scan_duration_seconds',
      help: 'Time the guard spent scoring one check, by check: request (a model route), args (agent authorization), scan (the scan routes).',
      labelNames: ['check'] as const,
      buckets: guardScanBuckets,
    }),
    guardErrors: createCounterFamily(registry, {
      name: 'gatehouse_guard_errors_total',
      help: 'Checks whose detector failed, by check and outcome: failed_open (let through unchecked) or failed_closed (refused).',
      labelNames: ['check', 'outcome'] as const,
    }),
    firewallToolCalls: createCounterFamily(registry, {
      name: 'gatehouse_firewall_tool_calls_total',
      help: 'Tool calls models returned to agents, by what the tool firewall did: allowed, approved (by a reviewer within the wait), denied, held (still awaiting review), failed (nothing could be decided: removed).',
      labelNames: ['decision'] as const,
    }),
    piiDetections: createCounterFamily(registry, {
      name: 'gatehouse_guard_pii_detections_total',
      help: 'Personal data and credentials found and masked, by kind (email, phone, card, iban, openai_key, ..., jwt) and where: request (redacted before the provider), answer (redacted before the caller), log (masked in a log line), trace (masked in a span).',
      labelNames: ['type', 'where'] as const,
    }),
    usageBuffered: new Gauge({
      registers,
      name: 'gatehouse_usage_buffer_records',
      help: 'Usage records held in memory, not yet written to the database.',
      collect() {
        if (usage !== undefined) this.set(usage().buffered);
      },
    }),
    usageSpooled: new Gauge({
      registers,
      name: 'gatehouse_usage_spool_files',
      help: 'Files of usage records spilled to disk while the database was unavailable, not yet written to it.',
      collect() {
        if (usage !== undefined) this.set(usage().spooledFiles);
      },
    }),
    usageDatabaseAvailable: new Gauge({
      registers,
      name: 'gatehouse_usage_database_available',
      help: 'Whether the usage writer could reach the database on its last attempt (1) or not (0).',
      collect() {
        if (usage !== undefined) this.set(usage().databaseAvailable ? 1 : 0);
      },
    }),
    auditBuffered: new Gauge({
      registers,
      name: 'gatehouse_audit_buffer_records',
      help: 'Audit records held in memory, not yet appended to the audit log.',
      collect() {
        if (audit !== undefined) this.set(audit().buffered);
      },
    }),
    auditSpooled: new Gauge({
      registers,
      name: 'gatehouse_audit_spool_files',
      help: 'Files of audit records spilled to disk while the database was unavailable, not yet appended.',
      collect() {
        if (audit !== undefined) this.set(audit().spooledFiles);
      },
    }),
    auditDatabaseAvailable: new Gauge({
      registers,
      name: 'gatehouse_audit_database_available',
      help: 'Whether the audit writer could reach the database on its last attempt (1) or not (0).',
      collect() {
        if (audit !== undefined) this.set(audit().databaseAvailable ? 1 : 0);
      },
    }),
    limitsDegraded: new Gauge({
      registers,
      name: 'gatehouse_limits_degraded',
      help: 'Whether limits currently fall back (1), e.g. per-replica limits while Redis is unreachable, or are shared and healthy (0).',
      collect() {
        // Without a limiter (limits not configured) nothing can be degraded.
        this.set(limiterHealth?.().degraded === undefined ? 0 : 1);
      },
    }),
  };
}

export type MetricDefinitions = ReturnType<typeof defineMetrics>;
export type { AnalyticsReading } from './metrics-analytics.js';
