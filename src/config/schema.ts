import { z } from 'zod';
import { auditSchema } from './audit-schema.js';
import { governanceSchema } from './governance-schema.js';
import { guardPiiSchema } from './guard-pii-schema.js';
import { notificationsSchema } from './notifications-schema.js';
import { parseResourceAttributes } from './resource-attributes.js';

/**
 * The configuration schema: the one definition of every setting, its type and default. File keys
 * are snake_case (YAML convention); unknown keys are errors (`strictObject`).
 */

const port = z.number().int().min(0).max(65_535);
const positiveMs = z.number().int().positive();

export const providerTypes = ['openai', 'azure', 'anthropic', 'openai-compatible', 'mock'] as const;
export type ProviderType = (typeof providerTypes)[number];

const providerSchema = z.strictObject({
  type: z.enum(providerTypes),
  api_key: z.string().min(1).optional(),
  base_url: z.url().optional(),
  /** Azure OpenAI `api-version`. */
  api_version: z.string().min(1).optional(),
  /** Extra headers sent with every upstream request (e.g. an organisation id). */
  headers: z.record(z.string(), z.string()).default({}),
  /** Whether this provider continues an answer from an assistant prefill (mid-stream recovery). */
  supports_prefill: z.boolean().optional(),
  /** Upstream connections kept alive per origin. */
  max_connections: z.number().int().positive().default(256),
});

const targetSchema = z.strictObject({
  provider: z.string().min(1),
  /**
   * The provider's name for the model; some providers put it in the URL path (Azure's deployment),
   * where `.` and `..` are dot segments that would move the request to another path.
   */
  model: z
    .string()
    .min(1)
    .refine((name) => name !== '.' && name !== '..', {
      message: 'must not be "." or "..": a dot segment in a provider URL path leads elsewhere',
    }),
  weight: z.number().positive().default(1),
});

const timeoutsSchema = z.strictObject({
  /** TCP and TLS connection to the provider. */
  connect_ms: positiveMs.default(5_000),
  /** Streaming: from sending the request to the first token (or tool call) of the answer. */
  first_token_ms: positiveMs.default(30_000),
  /** Streaming: the longest silence between two events once the answer has started. */
  stall_ms: positiveMs.default(30_000),
  /** One attempt, whole answer included (non-streaming answers arrive whole, so this bounds them). */
  attempt_ms: positiveMs.default(300_000),
  /** The whole request: every attempt, backoff and fail-over together. */
  total_ms: positiveMs.default(600_000),
});

const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(10).default(3),
  on: z.array(z.number().int().min(400).max(599)).default([408, 409, 429, 500, 502, 503, 504]),
  backoff_ms: positiveMs.default(250),
  max_backoff_ms: positiveMs.default(8_000),
  max_retry_after_ms: positiveMs.default(30_000),
});

const modelSchema = z.strictObject({
  strategy: z.enum(['weighted', 'fallback', 'least-latency', 'least-busy']).default('weighted'),
  targets: z.array(targetSchema).min(1),
  fallbacks: z.array(z.string().min(1)).default([]),
  /** Larger-context models for prompts too long for this one (before or after the provider says so). */
  context_fallbacks: z.array(z.string().min(1)).default([]),
  retry: retrySchema.prefault({}),
  timeouts: timeoutsSchema.prefault({}),
  context_window: z.number().int().positive().optional(),
});

const semanticCacheSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** A model name (configured or routed by name) that serves embeddings. */
  embedding_model: z.string().min(1),
  /** Cosine similarity at or above which a cached answer is served. */
  threshold: z.number().gt(0).max(1).default(0.95),
  /** Prompts remembered per tenant and model; the least recently used go first. */
  max_entries: z.number().int().positive().max(100_000).default(1_000),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(8080),
      metrics_port: port.default(9090),
      metrics_host: z.string().min(1).default('127.0.0.1'),
      /** Largest accepted request body; larger ones get 413. */
      body_limit_bytes: z
        .number()
        .int()
        .positive()
        .default(10 * 1024 * 1024),
      /** How long in-flight requests and streams may run after SIGTERM before the process exits. */
      drain_timeout_ms: positiveMs.default(30_000),
      /** Above common load-balancer idle timeouts (AWS ALB 60 s) so the balancer closes first. */
      keep_alive_timeout_ms: positiveMs.default(65_000),
      /** Comment frames sent on idle streams so proxies do not cut them. */
      stream_keep_alive_ms: positiveMs.default(15_000),
      /** A request's headers must arrive within this; slower ones get 408 (slowloris). */
      headers_timeout_ms: positiveMs.default(30_000),
      /** A request's headers and body must arrive within this; a body that trickles gets 408. */
      request_timeout_ms: positiveMs.default(120_000),
      /** Deepest nesting of arrays and objects in a JSON body; deeper ones get 400 before parsing. */
      max_json_depth: z.number().int().min(2).max(10_000).default(128),
      /** Open connections from one client address; more are closed at once. 0: no cap. */
      max_connections_per_address: z.number().int().min(0).default(256),
      /** Failed authentications (401) from one address per window before it gets 429. 0: off. */
      auth_failures_per_address: z.number().int().min(0).default(50),
      auth_failure_window_ms: positiveMs.default(60_000),
      tls: z.strictObject({ cert_path: z.string().min(1), key_path: z.string().min(1) }).optional(),
    })
    .prefault({}),
  master_key: z.string().min(16, 'at least 16 characters').optional(),
  data_dir: z.string().min(1).default('./.gatehouse'),
  database_url: z.string().min(1).optional(),
  /** Postgres schema for every table (created if missing); the connection's default otherwise. */
  database_schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and underscores')
    .optional(),
  redis_url: z.string().min(1).optional(),
  /** Prepended to every Redis key and channel, so several deployments can share one Redis. */
  redis_key_prefix: z.string().min(1).max(100).default('gatehouse:'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      format: z.enum(['json', 'pretty']).default('json'),
    })
    .prefault({}),
  mock: z
    .strictObject({
      /** Serve the built-in mock provider for model names containing `mock`. */
      enabled: z.boolean().default(true),
    })
    .prefault({}),
  circuit_breaker: z
    .strictObject({
      /** Failure rate over the window at or above which a target's breaker opens. */
      failure_rate: z.number().gt(0).max(1).default(0.5),
      /** No verdict on fewer requests than this within the window. */
      minimum_requests: z.number().int().positive().default(5),
      window_ms: positiveMs.default(30_000),
      /**
       * The first open period: how long a breaker that opens refuses traffic before it lets probes
       * through. Short, so a recovered target is tried again promptly; each consecutive re-open adds
       * this much again (Envoy's base ejection time × consecutive ejections), up to `max_open_ms`.
       */
      open_ms: positiveMs.default(2_000),
      /** The longest open period for a target that keeps failing its probes. */
      max_open_ms: positiveMs.default(30_000),
      half_open_probes: z.number().int().positive().default(1),
    })
    .prefault({}),
  cache: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** L1: entries kept in each process (L1_CACHE_SIZE); 0 turns L1 off. */
      l1_size: z.number().int().min(0).default(1_000),
      l1_max_bytes: z
        .number()
        .int()
        .positive()
        .default(64 * 1024 * 1024),
      l1_ttl_seconds: z.number().int().positive().default(300),
      /** L2 in Redis, shared by replicas (ENABLE_L2_CACHE); unset: on when redis_url is set. */
      l2_enabled: z.boolean().optional(),
      l2_ttl_seconds: z.number().int().positive().default(3_600),
      /** Upper bound of any TTL, including a caller's `x-gatehouse-cache-ttl`. */
      max_ttl_seconds: z.number().int().positive().default(604_800),
      max_entry_bytes: z.number().int().positive().default(1_048_576),
      /** Cache answers sampled with temperature > 0 (or unset, which samples at 1). */
      cache_nonzero_temperature: z.boolean().default(false),
      models: z
        .record(
          z.string().min(1),
          z.strictObject({
            enabled: z.boolean().optional(),
            ttl_seconds: z.number().int().min(0).optional(),
            cache_nonzero_temperature: z.boolean().optional(),
            semantic: semanticCacheSchema.optional(),
          }),
        )
        .default({}),
    })
    .prefault({}),
  tracing: z
    .strictObject({
      /** Where spans go: an OTLP/HTTP collector, Langfuse (OTLP), the console, or nowhere. */
      mode: z.enum(['otlp', 'langfuse', 'console', 'none']).default('none'),
      /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. */
      otlp_endpoint: z.url().default('http://localhost:4318'),
      /** Extra OTLP headers, `name=value,name=value` (may hold a token). */
      otlp_headers: z.string().min(1).optional(),
      service_name: z.string().min(1).default('gatehouse'),
      /** OTLP export request timeout (OTEL_EXPORTER_OTLP_TIMEOUT). */
      otlp_timeout_ms: positiveMs.default(10_000),
      /**
       * Extra resource attributes on every span, `key=value,key=value` with percent-encoded values
       * (OTEL_RESOURCE_ATTRIBUTES); `service_name` wins over a `service.name` given here.
       */
      resource_attributes: z
        .string()
        .refine((text) => parseResourceAttributes(text) !== undefined, {
          message: 'expected key=value pairs separated by commas, values percent-encoded',
        })
        .optional(),
      /** The batch span processor (OTEL_BSP_*): spans are exported in batches, in the background. */
      batch: z
        .strictObject({
          /** Longest a finished span waits before its batch is exported (OTEL_BSP_SCHEDULE_DELAY). */
          schedule_delay_ms: positiveMs.default(5_000),
          /** Spans per export request (OTEL_BSP_MAX_EXPORT_BATCH_SIZE); at most max_queue_size. */
          max_export_batch_size: z.number().int().positive().default(512),
          /** Spans waiting for export beyond which new ones are dropped (OTEL_BSP_MAX_QUEUE_SIZE). */
          max_queue_size: z.number().int().positive().default(2_048),
          /** Longest one batch export may take (OTEL_BSP_EXPORT_TIMEOUT). */
          export_timeout_ms: positiveMs.default(30_000),
        })
        .prefault({}),
      sampler: z
        .enum([
          'always_on',
          'always_off',
          'traceidratio',
          'parentbased_always_on',
          'parentbased_always_off',
          'parentbased_traceidratio',
        ])
        .default('parentbased_always_on'),
      sampler_ratio: z.number().min(0).max(1).default(1),
      /** Put prompts and completions in spans (off: they may hold personal data). */
      capture_prompts: z.boolean().default(false),
      langfuse: z
        .strictObject({
          public_key: z.string().min(1).optional(),
          secret_key: z.string().min(1).optional(),
          url: z.url().default('https://cloud.langfuse.com'),
        })
        .prefault({}),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** Distinct values per label (keys, models) before further ones fold into `other`. */
      max_label_values: z.number().int().positive().max(10_000).default(200),
    })
    .prefault({}),
  /** Tiers supply a key's default limits; `free`, `pro` and `enterprise` are built in. */
  tiers: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
      z.strictObject({
        requests_per_minute: z.number().int().positive().optional(),
        tokens_per_minute: z.number().int().positive().optional(),
        concurrent_requests: z.number().int().positive().optional(),
      }),
    )
    .default({}),
  keys: z
    .strictObject({
      /** The tier of a key created without one. */
      default_tier: z.string().min(1).default('pro'),
      /** How often each replica looks for changed (revoked, updated) keys in the database. */
      refresh_interval_ms: positiveMs.max(1_000).default(500),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Requests per minute for a key whose tier and overrides set none (REQUESTS_PER_MINUTE). */
      default_requests_per_minute: z.number().int().positive().optional(),
      /** Requests per minute across every caller together. */
      global_requests_per_minute: z.number().int().positive().optional(),
      /** The master key's own limits. */
      master: z
        .strictObject({
          requests_per_minute: z.number().int().positive().optional(),
          tokens_per_minute: z.number().int().positive().optional(),
          concurrent_requests: z.number().int().positive().optional(),
        })
        .prefault({}),
      /** When Redis is unreachable: enforce limits per replica (`local`) or refuse (`fail_closed`). */
      on_redis_failure: z.enum(['local', 'fail_closed']).default('local'),
    })
    .prefault({}),
  /** Price overrides in USD per 1M tokens, keyed `provider/model` or `model`. */
  pricing: z
    .record(
      z.string().min(1),
      z.strictObject({
        input: z.number().min(0),
        output: z.number().min(0),
        cached_input: z.number().min(0).optional(),
      }),
    )
    .default({}),
  usage: z
    .strictObject({
      /** Records written to the database per batch. */
      batch_size: z.number().int().positive().max(10_000).default(500),
      flush_interval_ms: positiveMs.default(1_000),
      /**
       * Records held in memory while the database is slow before spilling to disk; once a write
       * fails (the database is unreachable) everything is spilled at once.
       */
      memory_buffer: z.number().int().positive().default(10_000),
      /**
       * `memory`: a record waits in memory until it is written (a crash loses at most the last flush
       * interval's records, and during an outage those since the last spill). `disk`: each record is
       * also appended to a journal when its request finishes, so a crash of the process loses none.
       */
      durability: z.enum(['memory', 'disk']).default('memory'),
    })
    .prefault({}),
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i), providerSchema).default({}),
  models: z.record(z.string().min(1), modelSchema).default({}),
  /** Defaults applied to models that are not configured explicitly (routed by name). */
  defaults: z
    .strictObject({
      retry: retrySchema.prefault({}),
      timeouts: timeoutsSchema.prefault({}),
    })
    .prefault({}),
  /** Agent authorization: modes, confidence gates, agents, the action catalog, the initial policy. */
  governance: governanceSchema,
  /** Slack, signed webhooks, PagerDuty and email for review items, guard detections and alerts. */
  notifications: notificationsSchema,
  /** The hash-chained audit log: on or off, and its writer's batching and spooling. */
  audit: auditSchema,
  /** The guard: personal data and credentials (`pii`, docs/pii.md). */
  guard: z.strictObject({ pii: guardPiiSchema }).prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = Config['providers'][string];
export type ModelConfig = Config['models'][string];
export type TargetConfig = ModelConfig['targets'][number];
export type RetryConfig = ModelConfig['retry'];
export type TimeoutsConfig = ModelConfig['timeouts'];
export type GovernanceConfig = Config['governance'];
export type NotificationsConfig = Config['notifications'];
