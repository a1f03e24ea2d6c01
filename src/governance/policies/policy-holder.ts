import type { PolicySnapshot } from '../contract.js';
import { compilePolicy, type PolicyCompilation } from './policy-snapshot.js';
import type { PolicyChangeChannel, PolicyStore, PolicyVersion } from './policy-store.js';

/**
 * The policy in force on this replica, as a compiled snapshot read synchronously on the hot path.
 * It follows the store: a version stored here is installed at once and announced on the channel
 * (Redis pub/sub) when there is one; other replicas hear the announcement and read the version
 * from the store. Without a channel every replica polls the newest version number each
 * `pollIntervalMs` (the gateway uses 500 ms: a change is in force everywhere within a second); with one, polling is
 * only the backstop for announcements lost while Redis was away.
 */
export interface PolicyHolder {
  /** The snapshot in force. Only valid after `start`. */
  current(): PolicySnapshot;
  /** The stored version behind `current()`, text included (what `GET /v1/policy` shows). */
  currentVersion(): PolicyVersion;
  /** Installs `initial` and begins following the store. Throws when `initial` does not compile. */
  start(initial: PolicyVersion): void;
  /** Installs a version this replica stored, and tells the other replicas. */
  stored(version: PolicyVersion): void;
  /** Reads the newest version from the store and installs it when newer than the one in force. */
  refresh(): Promise<void>;
  stop(): void;
}

export interface PolicyHolderDependencies {
  readonly store: PolicyStore;
  readonly channel: PolicyChangeChannel | undefined;
  readonly pollIntervalMs: number;
  /** A version that will not compile here (a Cedar version skew) or a store that fails: logged. */
  readonly onError: (error: unknown, message: string) => void;
  readonly compile?: (text: string, version: number) => PolicyCompilation;
}

export function createPolicyHolder(dependencies: PolicyHolderDependencies): PolicyHolder {
  const { store, channel, onError } = dependencies;
  const compile = dependencies.compile ?? compilePolicy;
  let snapshot: PolicySnapshot | undefined;
  let installed: PolicyVersion | undefined;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let again = false;

  /** Installs `version` when it is newer than the one in force; false when it does not compile. */
  function install(version: PolicyVersion): boolean {
    if (snapshot !== undefined && version.version <= snapshot.version) return true;
    const compiled = compile(version.text, version.version);
    if (compiled.type === 'invalid') {
      onError(
        new Error(compiled.message),
        `policy version ${version.version} does not compile; keeping the one in force`,
      );
      return false;
    }
    snapshot = compiled.snapshot;
    installed = version;
    return true;
  }

  async function readNewest(): Promise<void> {
    const newest = await store.currentDigest();
    if (newest === undefined || (snapshot !== undefined && newest.version <= snapshot.version)) return;
    const version = await store.version(newest.version);
    if (version !== undefined) install(version);
  }

  /** One refresh at a time; a request during one runs once more after it. */
  function refresh(): Promise<void> {
    if (refreshing !== undefined) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        await readNewest().catch((error: unknown) => onError(error, 'could not read the current policy'));
      } while (again);
      refreshing = undefined;
    })();
    return refreshing;
  }

  return {
    current() {
      if (snapshot === undefined) throw new Error('the policy holder has not been started');
      return snapshot;
    },
    currentVersion() {
      if (installed === undefined) throw new Error('the policy holder has not been started');
      return installed;
    },
    start(initial) {
      const compiled = compile(initial.text, initial.version);
      if (compiled.type === 'invalid')
        throw new Error(`the stored policy does not compile: ${compiled.message}`);
      snapshot = compiled.snapshot;
      installed = initial;
      channel?.subscribe(() => void refresh());
      timer = setInterval(() => void refresh(), dependencies.pollIntervalMs);
      timer.unref();
    },
    stored(version) {
      if (install(version)) channel?.publish(version.version);
    },
    refresh,
    stop() {
      clearInterval(timer);
    },
  };
}
