/**
 * A change of the policy in force, for the audit trail (which stores it) and the log. Refused
 * attempts (stale, invalid, not an admin) change nothing and are not events.
 */
export interface PolicyChangeEvent {
  readonly type: 'policy.changed';
  /** `initial`: seeded from `governance.policy.cedar` into an empty database. */
  readonly change: 'initial' | 'put' | 'rollback';
  readonly version: number;
  readonly digest: string;
  readonly previousVersion: number | undefined;
  readonly previousDigest: string | undefined;
  readonly authorKeyId: string | undefined;
  readonly comment: string | undefined;
  /** For a rollback: the version whose text was restored. */
  readonly restoredFrom: number | undefined;
  /** Unix milliseconds. */
  readonly time: number;
}

export interface PolicyEventSink {
  policyChanged(event: PolicyChangeEvent): void;
}
