import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them: column names as stored (snake_case), values as both drivers return
 * them. Timestamps are unix milliseconds in `bigint` columns; the Postgres pool parses `int8` and
 * `numeric` to JavaScript numbers (see postgres-database.ts), so they are numbers on both databases.
 * JSON attributes are stored as text so that one schema serves both databases unchanged.
 */
export interface Database {
  api_keys: ApiKeysTable;
  usage_records: UsageRecordsTable;
  policy_versions: PolicyVersionsTable;
  review_items: ReviewItemsTable;
  audit_records: AuditRecordsTable;
  audit_head: AuditHeadTable;
  audit_anchor: AuditAnchorTable;
  audit_leases: AuditLeasesTable;
  agent_grants: AgentGrantsTable;
  grant_swarm_agents: GrantSwarmAgentsTable;
  agent_baselines: AgentBaselinesTable;
  analytics_alerts: AnalyticsAlertsTable;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  hash: string;
  prefix: string;
  tier: string;
  role: string;
  team: string | null;
  owner: string | null;
  agent_id: string | null;
  /** JSON array of model patterns. */
  models: string;
  /** JSON object of limit overrides. */
  limits: string;
  /** JSON object `{ usd, period }`, or null when the key has no budget. */
  budget: string | null;
  /** JSON object of string values. */
  metadata: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface UsageRecordsTable {
  id: Generated<number>;
  record_id: string | null;
  request_id: string;
  timestamp: number;
  key_id: string;
  team: string | null;
  model: string;
  provider: string | null;
  target_model: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cost_usd: number;
  saved_cost_usd: number;
  latency_ms: number;
  status: number;
  attempts: number;
  cache: string;
  /** Postgres `boolean`, SQLite 0 or 1; written as a boolean (the SQLite adapter binds it as 0 or 1). */
  stream: boolean | number;
  error_code: string | null;
}

export interface PolicyVersionsTable {
  version: number;
  text: string;
  digest: string;
  author_key_id: string | null;
  created_at: number;
  comment: string | null;
  restored_from: number | null;
}

export interface ReviewItemsTable {
  id: string;
  tenant_id: string;
  actor: string;
  action: string;
  /** JSON object of string values. */
  resource: string;
  confidence_score: number;
  reason: string;
  acting_for: string | null;
  trace_id: string;
  risk_score: number;
  policy_digest: string;
  input_hash: string;
  args_hash: string | null;
  enqueued_at: number;
  expires_at: number;
  /** `pending`, `approved` or `denied`. */
  status: string;
  resolved_at: number | null;
  resolved_by: string | null;
  resolution_note: string | null;
  resolver_key_id: string | null;
  /** JSON array of the policy ids that let the decision through (migration 0008); null before. */
  policy_ids: string | null;
}

/** The audit log's records (migration 0005); `resource` and `details` are JSON text. */
export interface AuditRecordsTable {
  seq: number;
  event_id: string;
  type: string;
  recorded_at: number;
  timestamp: string;
  tenant_id: string | null;
  trace_id: string | null;
  actor: string | null;
  action: string | null;
  resource: string | null;
  confidence_score: number | null;
  decision: string | null;
  reason: string | null;
  downgraded_scope: string | null;
  latency_ms: number | null;
  input_hash: string | null;
  output_hash: string | null;
  policy_digest: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** One row (id 1): the audit chain's end. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
  recorded_at: number;
}

/** One row (id 1): where the retained audit chain starts (migration 0006). */
export interface AuditAnchorTable {
  id: number;
  seq: number;
  hash: string;
}

/** Named leases for work one replica at a time does (migration 0006). */
export interface AuditLeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

export interface AgentGrantsTable {
  id: string;
  token_hash: string;
  tenant_id: string;
  delegator: string | null;
  delegatee: string;
  /** JSON array of scopes. */
  scopes: string;
  acting_for: string | null;
  parent_id: string | null;
  root_id: string;
  /** JSON array of ancestor ids, root first. */
  lineage: string;
  depth: number;
  issuer_key_id: string;
  bound_key_id: string | null;
  bound_key_hash: string | null;
  created_at: number;
  expires_at: number;
  swarm_expires_at: number;
  revoked_at: number | null;
  traceparent: string | null;
  /** On a root's row: the distinct agents of its swarm. */
  swarm_agents: Generated<number>;
}

export interface GrantSwarmAgentsTable {
  root_id: string;
  agent: string;
  joined_at: number;
}

/** An agent's anomaly baseline (migration 0008); `summary` is JSON text. */
export interface AgentBaselinesTable {
  tenant_id: string;
  actor: string;
  computed_at: number;
  summary: string;
}

/** Analytics alerts (migration 0008): `tenant_id` is '' for a policy's; `details` is JSON text. */
export interface AnalyticsAlertsTable {
  id: string;
  kind: string;
  subject_type: string;
  tenant_id: string;
  subject: string;
  status: string;
  value: number;
  threshold: number;
  title: string;
  details: string;
  raised_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  resolution_note: string | null;
}
