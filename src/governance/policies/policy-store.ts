/**
 * Policy versions as stored. Every change — a new text or a rollback — appends a version; none is
 * ever edited or removed, so the history is the audit of who changed the policy when and why.
 */
export interface PolicyVersion {
  /** 1, 2, 3, … in the order they were stored. */
  readonly version: number;
  readonly text: string;
  /** SHA-256 of the text, hex. */
  readonly digest: string;
  /** The id of the key that stored it (`master` for the master key, `config` for the initial one). */
  readonly authorKeyId: string | undefined;
  /** Unix milliseconds. */
  readonly createdAt: number;
  readonly comment: string | undefined;
  /** Set when this version is a rollback: the version whose text it restored. */
  readonly restoredFrom: number | undefined;
}

/** A version without its text, for the history. */
export type PolicyVersionSummary = Omit<PolicyVersion, 'text'>;

export type NewPolicyVersion = Omit<PolicyVersion, 'version'>;

export type PolicyAppendResult =
  | { readonly type: 'appended'; readonly version: PolicyVersion }
  /** Another version was stored after `after`: the caller's view is out of date. */
  | { readonly type: 'stale' };

/** What the policy engine needs from a database (implemented in stores/sql). */
export interface PolicyStore {
  current(): Promise<PolicyVersion | undefined>;
  /** The newest version's number and digest only: what every replica polls. */
  currentDigest(): Promise<{ readonly version: number; readonly digest: string } | undefined>;
  version(version: number): Promise<PolicyVersion | undefined>;
  /** Newest first. */
  versions(): Promise<readonly PolicyVersionSummary[]>;
  /**
   * Stores `entry` as version `after + 1` (`after` 0: the first), atomically: `stale` when that
   * version exists already, so two writers that read the same current version cannot both succeed.
   */
  append(entry: NewPolicyVersion, after: number): Promise<PolicyAppendResult>;
}

/**
 * How replicas tell each other that the policy changed (Redis pub/sub). The message carries only
 * the version: a receiver reads the text from the store, so the channel is never trusted with it.
 */
export interface PolicyChangeChannel {
  publish(version: number): void;
  subscribe(listener: (version: number) => void): void;
}
