/**
 * The commented starter `gatehouse.yaml` that `gatehouse init` writes. Every setting is shown
 * commented out at its default, so the file is valid as written, and a default changed in a later
 * version still reaches people who never edited that line. The providers and models example (SPEC
 * section 2) is commented out too; uncommenting it gives a valid configuration once the variables
 * it references are set (a test checks both).
 */

/** The example providers, as they appear under `providers:` once uncommented. */
export const exampleProvidersYaml = `  openai:    { type: openai, api_key: "\${OPENAI_API_KEY}" }
  azure-eu:  { type: azure, base_url: "\${AZURE_API_BASE}", api_key: "\${AZURE_API_KEY}", api_version: "2024-10-21" }
  anthropic: { type: anthropic, api_key: "\${ANTHROPIC_API_KEY}" }
  local:     { type: openai-compatible, base_url: "http://127.0.0.1:11434/v1" }
`;

/** The example models, as they appear under `models:` once uncommented. */
export const exampleModelsYaml = `  gpt-4o:                       # the name clients send
    strategy: weighted          # weighted | fallback | least-latency | least-busy
    targets:
      - { provider: openai,   model: gpt-4o,        weight: 3 }
      - { provider: azure-eu, model: gpt-4o-deploy, weight: 1 }
    fallbacks: [claude-sonnet]  # other model names, tried in order when every target fails
    retry:    { attempts: 3, on: [408, 409, 429, 500, 502, 503, 504] }
    timeouts: { connect_ms: 5000, first_token_ms: 15000, stall_ms: 10000, total_ms: 600000 }
    context_window: 128000
    context_fallbacks: [claude-sonnet]  # where a prompt too long for this model goes
  claude-sonnet:
    targets: [{ provider: anthropic, model: claude-sonnet-4-5 }]
`;

/**
 * Comments out lines of a section's entries (indented two spaces) in one column, as an editor's
 * "toggle comment" does, so uncommenting restores them exactly.
 */
export function commentOut(yaml: string): string {
  return yaml.replace(/^ {2}/gm, '  # ');
}

/**
 * The starter Cedar policy (docs/governance.md explains it): an agent may read invoices freely,
 * approve refunds up to 100 itself and above that only after human review, update invoices only
 * read-only unless it is confident, and never delete one.
 */
export const exampleCedarPolicy = `// Ids name the deciding policy in every decision's reason.
@id("read-invoices")
permit(principal, action == Action::"read_invoice", resource);

@id("small-refunds")
permit(principal, action == Action::"approve_refund", resource)
when { context has args.amount && context.args.amount <= 100 };

// A matching permit can grant less than allow: human_review or read_only.
@id("large-refunds-need-review")
@decision("human_review")
permit(principal, action == Action::"approve_refund", resource)
when { context has args.amount && context.args.amount > 100 };

@id("confident-updates")
permit(principal, action == Action::"update_invoice", resource)
when { context has confidence && context.confidence.greaterThanOrEqual(decimal("0.9")) };

@id("unsure-updates-read-only")
@decision("read_only")
permit(principal, action == Action::"update_invoice", resource)
unless { context has confidence && context.confidence.greaterThanOrEqual(decimal("0.9")) };

// A forbid always wins.
@id("never-delete")
forbid(principal, action == Action::"delete_invoice", resource);
`;

/** The example policy as it appears under `cedar: |`, commented out. */
function commentedPolicy(policy: string): string {
  return policy
    .trimEnd()
    .split('\n')
    .map((line) => `    #   ${line}`.trimEnd())
    .join('\n');
}

export const starterConfigYaml = `# Gatehouse configuration (full reference: docs/configuration.md).
#
# Precedence, highest first: command-line flags, environment variables, this file, built-in
# defaults. Settings shown commented out are at their default; uncomment a line to change it.
#
# Any string may be a reference: \${VAR} (an environment variable), \${VAR:-default} (with a
# default for when it is unset or empty), or \${file:/run/secrets/name} (the trimmed contents of a
# file, for mounted secrets). Keep secrets out of this file: reference them.
#
# Unknown keys are errors. Check this file with: gatehouse check

server:
  # host: 127.0.0.1               # HOST: listen address; 0.0.0.0 listens on every interface
  # port: 8080                    # PORT: 0 picks a free port
  # metrics_port: 9090            # METRICS_PORT: Prometheus /metrics on its own port; 0 turns it off
  # metrics_host: 127.0.0.1       # METRICS_HOST: address of the metrics port
  # body_limit_bytes: 10485760    # larger request bodies are refused with 413
  # drain_timeout_ms: 30000       # after SIGTERM, how long requests in flight may finish
  # keep_alive_timeout_ms: 65000  # above load balancers' idle timeout (AWS ALB: 60 s)
  # stream_keep_alive_ms: 15000   # comment frames on idle streams so proxies keep them open
  # headers_timeout_ms: 30000     # request headers slower than this get 408 (slowloris)
  # request_timeout_ms: 120000    # headers and body slower than this get 408
  # max_json_depth: 128           # deeper nesting in a JSON body is refused with 400
  # max_connections_per_address: 256  # more from one client address are closed; 0: no cap
  # auth_failures_per_address: 50 # 401s from one address per window before it gets 429; 0: off
  # auth_failure_window_ms: 60000
  # tls:                          # serve HTTPS directly; both paths or neither
  #   cert_path: /etc/gatehouse/tls.crt   # TLS_CERT_PATH
  #   key_path: /etc/gatehouse/tls.key    # TLS_KEY_PATH

# The admin key (GATEHOUSE_MASTER_KEY), at least 16 characters. When it is not set, the first
# start generates one, stores it in <data_dir>/master.key (mode 0600) and prints it once.
# master_key: "\${GATEHOUSE_MASTER_KEY}"

# data_dir: ./.gatehouse          # GATEHOUSE_DATA_DIR: embedded database and generated master key
# database_url: "\${DATABASE_URL}" # Postgres; without it, the embedded database in data_dir
# database_schema: gatehouse     # GATEHOUSE_DATABASE_SCHEMA: Postgres schema for every table
# redis_url: "\${REDIS_URL}"       # Redis, for state shared by replicas; without it, state is in process
# redis_key_prefix: "gatehouse:"  # GATEHOUSE_REDIS_PREFIX: prefix of every Redis key and channel

log:
  # level: info                   # LOG_LEVEL: fatal, error, warn, info, debug, trace or silent
  # format: json                  # LOG_FORMAT: json or pretty

mock:
  # enabled: true                 # the built-in mock provider answers model names containing "mock"

# Upstream providers, each under a name of your choosing that model targets refer to. Besides
# these, a provider is added for each key found in the environment: openai (OPENAI_API_KEY),
# anthropic (ANTHROPIC_API_KEY), azure (AZURE_API_KEY and AZURE_API_BASE), ollama (OLLAMA_BASE_URL),
# unless a provider of that name is configured here.
#
#   type               openai | azure | anthropic | openai-compatible | mock
#   api_key            required for openai, anthropic and azure; reference it, e.g. "\${OPENAI_API_KEY}"
#   base_url           required for azure and openai-compatible; optional for openai and anthropic
#   api_version        required for azure (for example 2024-10-21)
#   headers            extra headers on every upstream request, e.g. { OpenAI-Organization: org-... }
#   supports_prefill   whether it continues an answer from an assistant prefill (default: anthropic yes, others no)
#   max_connections    upstream connections kept alive (default 256)
providers:
${commentOut(exampleProvidersYaml)}
# The model names clients send, and where each goes. A name not listed here is routed by name:
# one containing "mock" to the mock provider, "provider/model" to that provider, gpt-*, o1*, o3*,
# o4*, chatgpt-* and text-embedding-* to openai (or azure when only azure exists), claude-* to
# anthropic. Every target names a provider; every fallback names a model configured here.
models:
${commentOut(exampleModelsYaml)}
# Retry and timeouts for models routed by name; a configured model sets its own under the same keys.
defaults:
  # retry:
  #   attempts: 3                 # tries per target, 1 to 10
  #   on: [408, 409, 429, 500, 502, 503, 504]   # upstream statuses worth another try
  #   backoff_ms: 250             # first wait between tries, doubling with jitter
  #   max_backoff_ms: 8000        # longest wait between tries
  #   max_retry_after_ms: 30000   # longest Retry-After honoured; longer moves on to the next target
  # timeouts:
  #   connect_ms: 5000            # to establish the upstream connection
  #   first_token_ms: 30000       # a stream's first token must arrive within this
  #   stall_ms: 30000             # longest silence in the middle of a stream
  #   attempt_ms: 300000          # one attempt, whole answer included
  #   total_ms: 600000            # the whole request: every attempt, backoff and fail-over

# The response cache: L1 in each process, L2 in Redis (shared), and an opt-in semantic cache.
cache:
  # enabled: true
  # l1_size: 1000                 # L1_CACHE_SIZE: entries per process; 0 turns L1 off
  # l1_max_bytes: 67108864        # bytes per process
  # l1_ttl_seconds: 300           # L1_TTL_SECONDS
  # l2_enabled: true              # ENABLE_L2_CACHE: default on when redis_url is set
  # l2_ttl_seconds: 3600          # L2_TTL_SECONDS
  # max_ttl_seconds: 604800       # the longest TTL, x-gatehouse-cache-ttl included
  # max_entry_bytes: 1048576      # larger answers are not cached
  # cache_nonzero_temperature: false   # also cache answers sampled with temperature > 0
  # models:
  #   assistant:                  # a model name clients send
  #     ttl_seconds: 600
  #     semantic: { enabled: true, embedding_model: text-embedding-3-small, threshold: 0.95, max_entries: 1000 }

tracing:
  # mode: none                    # TRACING_MODE: otlp, langfuse, console or none
  # otlp_endpoint: http://localhost:4318   # OTEL_EXPORTER_OTLP_ENDPOINT
  # otlp_headers: "authorization=Bearer \${OTLP_TOKEN}"   # OTEL_EXPORTER_OTLP_HEADERS
  # service_name: gatehouse       # OTEL_SERVICE_NAME
  # sampler: parentbased_always_on   # OTEL_TRACES_SAMPLER
  # sampler_ratio: 1              # OTEL_TRACES_SAMPLER_ARG
  # capture_prompts: false        # put prompts and completions in spans
  # otlp_timeout_ms: 10000        # OTEL_EXPORTER_OTLP_TIMEOUT: one export request
  # resource_attributes: "deployment.environment=prod"   # OTEL_RESOURCE_ATTRIBUTES
  # batch:
  #   schedule_delay_ms: 5000     # OTEL_BSP_SCHEDULE_DELAY: longest a span waits to be exported
  #   max_export_batch_size: 512  # OTEL_BSP_MAX_EXPORT_BATCH_SIZE
  #   max_queue_size: 2048        # OTEL_BSP_MAX_QUEUE_SIZE: beyond it, new spans are dropped
  #   export_timeout_ms: 30000    # OTEL_BSP_EXPORT_TIMEOUT
  # langfuse:
  #   public_key: "\${LANGFUSE_PUBLIC_KEY}"
  #   secret_key: "\${LANGFUSE_SECRET_KEY}"
  #   url: https://cloud.langfuse.com   # LANGFUSE_URL

metrics:
  # max_label_values: 200         # distinct keys or models per label before they fold into "other"

# Tiers supply a key's default limits; free, pro and enterprise are built in.
tiers:
  # team-small: { requests_per_minute: 120, tokens_per_minute: 200000, concurrent_requests: 5 }

keys:
  # default_tier: pro             # the tier of a key created without one
  # refresh_interval_ms: 500      # how often each replica picks up revoked or updated keys (<= 1000)

limits:
  # default_requests_per_minute: 60   # REQUESTS_PER_MINUTE: for keys whose tier sets none
  # global_requests_per_minute: 10000 # across every caller together
  # master:                       # the master key is governed too
  #   requests_per_minute: 600
  #   tokens_per_minute: 1000000
  #   concurrent_requests: 50
  # on_redis_failure: local       # local (per-replica limits) or fail_closed (refuse) while Redis is down

# Prices in USD per 1M tokens, overriding the shipped table; keys are provider/model or model.
pricing:
  # my-finetune: { input: 3.0, output: 12.0, cached_input: 1.5 }

usage:
  # batch_size: 500               # records per database write
  # flush_interval_ms: 1000       # longest a record waits before it is written
  # memory_buffer: 10000          # records held in memory while the database is slow; unreachable: spilled at once
  # durability: memory            # memory, or disk: each record journaled on disk as its request ends (no loss on a crash)

# The audit log (docs/governance.md#audit): every decision, policy change and key change, appended to
# one hash chain; check it with \`gatehouse audit verify\`. Written like usage records, never dropped.
audit:
  # enabled: true
  # batch_size: 500               # records appended per database transaction
  # flush_interval_ms: 1000       # longest a record waits before it is appended
  # memory_buffer: 10000          # records held in memory while the database is slow; unreachable: spilled at once
  # durability: memory            # memory, or disk: each record journaled on disk when recorded (no loss on a crash)
  # spool_dir: ./.gatehouse/audit-spool   # where records wait while the database is away (default <data_dir>/audit-spool)
  # retention_days: 365          # archive (to archive.s3, when set) then delete older records; absent: keep for ever
  # retention_check_minutes: 60   # how often a gateway looks for records past retention (one replica at a time)
  # checkpoints:                  # the chain's head, in the log and in archive.s3: a rewrite of the whole table shows
  #   enabled: true
  #   every_records: 10000
  #   every_minutes: 60
  # archive:
  #   records_per_object: 100000  # one gzip NDJSON object per range of records
  #   s3:
  #     url: s3://my-audit-bucket/gatehouse
  #     endpoint: http://minio:9000   # S3-compatible servers only
  #     region: eu-west-1
  #     force_path_style: false       # true for most S3-compatible servers
  #     access_key_id: \${AUDIT_S3_ACCESS_KEY_ID}        # both absent: the AWS default credential chain
  #     secret_access_key: \${AUDIT_S3_SECRET_ACCESS_KEY}
  #     session_token: \${AUDIT_S3_SESSION_TOKEN}
  #     conditional_writes: true      # If-None-Match: * on writes; off for servers that reject it

# Agent authorization (POST /v1/agent/authorize; docs/governance.md). Each part votes and the most
# restrictive wins: deny > human_review > read_only > allow.
governance:
  # mode: enforce                 # enforce, or shadow: decide and record, but allow
  # confidence:
  #   allow_unverified: false     # count a bare client-asserted "confidence" when no signal is sent
  #   missing_mode: deny          # without a usable confidence: deny, review or read_only
  #   gates:                      # confidence at or above each gate: allow, human review, read-only; below: deny
  #     allow: 0.9
  #     review: 0.7
  #     read_only: 0.5
  # agents: {}                    # by agent name (the request's actor): own gates and mode, e.g.
  #   invoice-bot: { gates: { allow: 0.95 }, mode: shadow }
  # actions: {}                   # the action catalog, by glob (* any characters, ? one), e.g.
  #   "approve_refund*": { criticality: 0.9, gates: { allow: 0.97 } }
  #   "read_*": { read_only: true, criticality: 0.2 }
  # rate_limit:
  #   requests_per_minute: 6000   # authorization requests per tenant (tenant_id); unset: unlimited
  # delegation:                   # grants agents pass on (POST /v1/agent/delegate, POST /v1/tokens/mint)
  #   max_depth: 5                # MAX_DELEGATION_DEPTH: grants in one chain, the root included
  #   max_swarm_size: 10          # MAX_SWARM_SIZE: distinct agents under one root grant
  #   swarm_operation_timeout: 30s  # SWARM_OPERATION_TIMEOUT: no grant outlives its root's creation + this
  #   confidence_floor: 0.9       # the least confidence a delegation request may carry (0: none needed)
  #   llm_routes: false           # a grant minted with a virtual key works as that key on the model routes
  # analytics:                    # reputation, anomaly, policy effectiveness and the models that learn from reviewers (docs/governance.md)
  #   sync_interval: 10s          # how often each replica reads the history from the database
  #   max_agents: 5000            # agents whose figures are kept in memory (about 8 KB each)
  #   reputation:
  #     low_threshold: 0.5        # REPUTATION_LOW_THRESHOLD: below it, reliability in risk drops and an alert is raised
  #     min_decisions: 10         # REPUTATION_MIN_DECISIONS: reviewer outcomes before a reputation leaves 0.5
  #     half_life: 30d            # an outcome weighs half as much after this long
  #   anomaly:
  #     enabled: true             # ANOMALY_DETECTION_ENABLED
  #     severity_threshold: 0.7   # ANOMALY_SEVERITY_THRESHOLD: at or above it, an alert
  #     window_size: 100          # ANOMALY_WINDOW_SIZE: the latest decisions scored against the baseline
  #     baseline_sample_size: 100 # BASELINE_SAMPLE_SIZE: decisions a baseline is made of
  #     baseline_refresh_interval: 24h  # BASELINE_REFRESH_INTERVAL
  #   policy:
  #     optimization_threshold: 0.5  # POLICY_OPTIMIZATION_THRESHOLD: below it, a policy is flagged for review
  #     min_reviews: 10           # reviewer outcomes before a policy's effectiveness is reported
  #   models:
  #     min_samples: 100          # MIN_SAMPLES_FOR_MODEL: reviews in a model's window before it is used
  #     update_interval: 6h       # MODEL_UPDATE_INTERVAL: how often each replica retrains both models
  #   prediction:                 # the review-outcome model, shown on pending queue items
  #     window: 14d               # REVIEW_MODEL_WINDOW
  #     threshold: 0.6            # REVIEW_PREDICTION_THRESHOLD: auto_resolve acts only above this probability
  #     auto_resolve: off         # off, approve, deny or both: resolve sure predictions without a person
  #   calibration:                # the confidence calibrator, used by the gates once accurate enough
  #     window: 30d               # CONFIDENCE_MODEL_WINDOW
  #     threshold: 0.7            # CONFIDENCE_PREDICTION_THRESHOLD: least held-out accuracy to be used
  # policy:
  #   cedar: "permit(principal, action, resource);"   # everything permitted: the gates and risk decide
  # review:
  #   ttl_seconds: 86400          # a human review not resolved within this is denied as expired
  # The initial Cedar policy is stored as version 1 when the database holds none; after that the
  # stored versions rule (GET/PUT /v1/policy, gatehouse policy put). An example to start from,
  # written as a block (cedar: |):
${commentedPolicy(exampleCedarPolicy)}

# The tool-call firewall (docs/tool-firewall.md): tool calls a model returns to a key bound to an
# agent (agent_id) are authorized like the agent's own actions (the tool's name as the action, its
# arguments as args) before the caller receives them. Keys bound to no agent are not judged.
firewall:
  # enabled: true
  # on_deny: remove               # remove: take a denied call out (a note and x-gatehouse-tool-calls-removed); error: refuse the answer
  # review_wait_ms: 30000         # how long an answer waits for a reviewer; then the call is held (its review id returned)
  # confidence: 1                 # what each call is authorized with (a call asserts none); null: missing_mode decides

# Notifications of new review items, guard detections and analytics alerts (docs/notifications.md):
# a Slack-compatible incoming webhook, a signed webhook, PagerDuty Events v2 and email over SMTP.
# Webhook URLs, webhook secrets, routing keys and passwords are secrets: give them as \${VAR} or
# \${file:/path}; they are masked wherever configuration is shown.
notifications:
  # channels: []                  # none by default; each takes events (default: all three kinds), e.g.
  #   - { name: ops-slack, type: slack, url: "\${SLACK_WEBHOOK_URL}", events: [review.created, guard.detection, analytics.alert] }
  #   - { name: siem, type: webhook, url: "https://siem.example.com/hooks/gatehouse", secret: "\${HOOK_SECRET}" }
  #   - { name: oncall, type: pagerduty, routing_key: "\${PD_ROUTING_KEY}", severity: critical, source: gatehouse-prod, events: [guard.detection] }
  #   - { name: security, type: email, from: "Gatehouse <gatehouse@example.com>", to: [security@example.com], smtp: { host: smtp.example.com, port: 587, secure: false, starttls: required, user: gatehouse, password: "\${SMTP_PASSWORD}", ca_path: /etc/gatehouse/smtp-ca.pem } }
  #   (a pagerduty channel also takes events_url, e.g. https://events.eu.pagerduty.com/v2/enqueue)
  # queue_size: 1000              # notifications waiting per channel; when full the oldest waiting one is dropped
  # retry:
  #   attempts: 5                 # tries per notification and channel: 5xx, 429 and network errors; never other 4xx
  #   initial_ms: 500             # first wait between tries, doubling with jitter
  #   max_ms: 30000               # longest wait; a receiver's longer Retry-After ends the delivery
  # timeout_ms: 5000              # one try: connection, request and answer
  # close_timeout_ms: 5000        # on shutdown, how long waiting notifications may still be delivered
  # public_url: https://gatehouse.example.com   # the gateway's address for people, for links in notifications

# Prompt-injection detection (docs/guard.md): user input and tool results on the model routes,
# agents' arguments on POST /v1/agent/authorize, and POST /v1/scan/input|output. A key's metadata
# entry guard_injection_action (off, log, flag, block) outranks the model, the route and this.
guard:
  injection:
    # enabled: true               # PROMPT_INJECTION_DETECTION_ENABLED; false: nothing is scored on the model routes or in args
    # action: log                 # off, log, flag (x-gatehouse-guard response header) or block (400 prompt_injection_detected)
    # threshold: 0.8              # PROMPT_INJECTION_SEVERITY_THRESHOLD: a score at or above it is a detection
    # fail_mode: open             # when the detector fails: open (let through, logged and counted) or closed (refuse)
    # history: latest_turn        # the messages after the last assistant message; all: every user and tool message
    # routes:                     # chat_completions and messages take action and threshold, e.g.
    #   "chat_completions": { action: block }
    #   agent_authorize:          # POST /v1/agent/authorize: block denies (Lelu's behaviour), log records, off skips
    #     action: block
    # models: {}                  # by the model name callers send, e.g.
    #   "support-bot": { action: flag, threshold: 0.9 }
    # max_scan_chars: 1000000     # the longest text the scan routes score (longer: 413)
    # alert:                      # notify the channels that take guard.detection (above)
    #   enabled: false            # PROMPT_INJECTION_ALERT_ENABLED
    #   min_score: 0.9            # high severity from this score (critical from 0.98)
    #   max_per_minute: 10        # per replica; further detections are only logged and counted
  pii:                            # personal data and credentials (docs/pii.md): always masked in logs and traces
    # redact_requests: false      # mask them in prompts (both dialects, embeddings inputs too)
    # redact_answers: false       # and in the text of answers; a stream holds back only a value still arriving
    # types: [email, phone, card, iban, openai_key, anthropic_key, aws_access_key, github_token, slack_token, google_api_key, private_key, jwt]

# When a failing target is taken out of rotation (one breaker per provider and model).
circuit_breaker:
  # failure_rate: 0.5             # failure rate over the window that opens the breaker
  # minimum_requests: 5           # no verdict on fewer requests than this
  # window_ms: 30000              # sliding window over which failures are counted
  # open_ms: 2000                 # first open period before probing; each consecutive re-open adds as much again
  # max_open_ms: 30000            # longest open period for a target that keeps failing its probes
  # half_open_probes: 1           # requests let through at once to probe; a success closes it
`;
