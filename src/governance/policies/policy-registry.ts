import { parsePolicyText } from './cedar-policy-text.js';
import type { PolicyChangeEvent, PolicyEventSink } from './policy-events.js';
import { policyDigest } from './policy-snapshot.js';
import type { NewPolicyVersion, PolicyStore, PolicyVersion, PolicyVersionSummary } from './policy-store.js';

/** Larger texts are refused before parsing: a policy set is rules, not data. */
export const maxPolicyBytes = 1024 * 1024;

export type PolicyValidation =
  | { readonly type: 'valid'; readonly digest: string; readonly policyIds: readonly string[] }
  | { readonly type: 'invalid'; readonly message: string };

export type PolicyChangeResult =
  | { readonly type: 'stored'; readonly version: PolicyVersion; readonly previous: PolicyVersion | undefined }
  /** `If-Match` named another digest than the current one (or a concurrent change won). */
  | { readonly type: 'stale'; readonly current: PolicyVersion | undefined }
  | { readonly type: 'invalid'; readonly message: string }
  | { readonly type: 'unknown_version'; readonly version: number };

export interface PolicyChangeOptions {
  /** The digest the caller last read; absent: replace whatever is current (Lelu's behaviour). */
  readonly ifMatch?: string | undefined;
  readonly authorKeyId: string | undefined;
  readonly comment?: string | undefined;
}

export interface PolicyRegistry {
  current(): Promise<PolicyVersion | undefined>;
  version(version: number): Promise<PolicyVersion | undefined>;
  versions(): Promise<readonly PolicyVersionSummary[]>;
  validate(text: string): PolicyValidation;
  put(text: string, options: PolicyChangeOptions): Promise<PolicyChangeResult>;
  /** Stores a new version whose text is `version`'s. */
  rollback(version: number, options: PolicyChangeOptions): Promise<PolicyChangeResult>;
  /** The current version, after storing `text` as version 1 when the database holds none. */
  ensureInitial(text: string): Promise<PolicyVersion>;
}

export interface PolicyRegistryDependencies {
  readonly store: PolicyStore;
  readonly events: PolicyEventSink;
  /** Told of every version this replica stores, before the caller hears (the local hot swap). */
  readonly onStored: (version: PolicyVersion) => void;
  readonly now: () => number;
}

/** Appends without If-Match retry this often when another writer wins the same version number. */
const blindAttempts = 3;

export function createPolicyRegistry(dependencies: PolicyRegistryDependencies): PolicyRegistry {
  const { store, events, onStored, now } = dependencies;

  /** Appends `text` as the next version when `ifMatch` (if any) names the current digest. */
  async function change(
    text: string,
    options: PolicyChangeOptions,
    kind: 'put' | 'rollback',
    restoredFrom: number | undefined,
  ): Promise<PolicyChangeResult> {
    for (let attempt = 1; ; attempt += 1) {
      const previous = await store.current();
      if (options.ifMatch !== undefined && options.ifMatch !== previous?.digest) {
        return { type: 'stale', current: previous };
      }
      const entry: NewPolicyVersion = {
        text,
        digest: policyDigest(text),
        authorKeyId: options.authorKeyId,
        createdAt: now(),
        comment: options.comment,
        restoredFrom,
      };
      const appended = await store.append(entry, previous?.version ?? 0);
      if (appended.type === 'appended') {
        onStored(appended.version);
        events.policyChanged(changeEvent(kind, appended.version, previous));
        return { type: 'stored', version: appended.version, previous };
      }
      if (options.ifMatch !== undefined || attempt >= blindAttempts) {
        return { type: 'stale', current: await store.current() };
      }
    }
  }

  function validate(text: string): PolicyValidation {
    if (Buffer.byteLength(text, 'utf8') > maxPolicyBytes) {
      return { type: 'invalid', message: `the policy is larger than ${maxPolicyBytes} bytes` };
    }
    const parsed = parsePolicyText(text);
    if (parsed.type === 'invalid') return parsed;
    return {
      type: 'valid',
      digest: policyDigest(text),
      policyIds: parsed.policies.map((policy) => policy.id),
    };
  }

  return {
    current: () => store.current(),
    version: (version) => store.version(version),
    versions: () => store.versions(),
    validate,
    async put(text, options) {
      const validation = validate(text);
      if (validation.type === 'invalid') return validation;
      return change(text, options, 'put', undefined);
    },
    async rollback(version, options) {
      const target = await store.version(version);
      if (target === undefined) return { type: 'unknown_version', version };
      const comment = options.comment ?? `rollback to version ${version}`;
      return change(target.text, { ...options, comment }, 'rollback', version);
    },
    async ensureInitial(text) {
      const existing = await store.current();
      if (existing !== undefined) return existing;
      const validation = validate(text);
      if (validation.type === 'invalid') {
        throw new Error(`governance.policy.cedar is not a valid Cedar policy: ${validation.message}`);
      }
      const entry: NewPolicyVersion = {
        text,
        digest: validation.digest,
        authorKeyId: 'config',
        createdAt: now(),
        comment: 'initial policy from governance.policy.cedar',
        restoredFrom: undefined,
      };
      const appended = await store.append(entry, 0);
      if (appended.type === 'appended') {
        events.policyChanged(changeEvent('initial', appended.version, undefined));
        return appended.version;
      }
      // Another replica seeded it first, from the same configuration: theirs stands.
      const current = await store.current();
      if (current === undefined) throw new Error('the initial policy could not be stored');
      return current;
    },
  };
}

function changeEvent(
  change: PolicyChangeEvent['change'],
  version: PolicyVersion,
  previous: PolicyVersion | undefined,
): PolicyChangeEvent {
  return {
    type: 'policy.changed',
    change,
    version: version.version,
    digest: version.digest,
    previousVersion: previous?.version,
    previousDigest: previous?.digest,
    authorKeyId: version.authorKeyId,
    comment: version.comment,
    restoredFrom: version.restoredFrom,
    time: version.createdAt,
  };
}
