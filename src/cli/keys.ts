import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import {
  createKeyService,
  keySettingsFromConfig,
  type AdminResult,
  type KeyChangeEvent,
  type KeyService,
  type KeyStore,
} from '../keys/index.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import {
  bodyOf,
  clearable,
  clearedFields,
  describe,
  UsageError,
  withAttributeOptions,
  type KeyOptions,
} from './keys-options.js';
import { keyDetails, keysTable, type TierSettings } from './keys-output.js';
import { loadConfigOrReport } from './load-config.js';
import { createRecordIdGenerator } from '../durable/index.js';
import { auditEntryOf, keyChangeAuditEvent, type AuditEntry } from '../governance/audit/index.js';

/** The stores `gatehouse keys` works on: the configured database, opened for one command. */
export interface KeyStores {
  readonly keys: KeyStore;
  /** Where the command's key changes are recorded (the audit log); absent: not recorded. */
  readonly audit?: { append(entries: readonly AuditEntry[]): Promise<unknown> };
  close(): Promise<void>;
}

export interface KeysCommandDependencies {
  readonly openStores: (config: Config) => Promise<KeyStores>;
  readonly now?: () => number;
}

/**
 * `gatehouse keys create|list|show|update|revoke`: administer virtual keys directly in the
 * configured database (no running gateway needed). Exits 2 on bad usage or input the key rules
 * refuse (including an unknown key id), 1 when the database fails.
 */
export function registerKeysCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
  dependencies: KeysCommandDependencies,
): void {
  const now = dependencies.now ?? Date.now;
  const keys = program.command('keys').description('create, list, show, update and revoke virtual keys');

  /** Loads the configuration, opens the stores, runs `work` with a key service, and sets the exit code. */
  async function withKeys(
    options: KeyOptions,
    work: (service: KeyService, config: Config) => Promise<number>,
  ): Promise<void> {
    const config = loadConfigOrReport(
      environment,
      options.config === undefined ? {} : { config: options.config },
    );
    if (config === undefined) {
      setResult(exitCodes.usage);
      return;
    }
    let stores: KeyStores | undefined;
    try {
      stores = await dependencies.openStores(config);
      const changes: KeyChangeEvent[] = [];
      const service = createKeyService({
        store: stores.keys,
        ...keySettingsFromConfig(config),
        now,
        events: { keyChanged: (change) => changes.push(change) },
      });
      const code = await work(service, config);
      // Straight into the log (no spool): the database has just answered the change itself.
      if (config.audit.enabled && changes.length > 0) await stores.audit?.append(auditEntries(changes));
      setResult(code);
    } catch (error) {
      if (error instanceof UsageError) {
        environment.stderr(`gatehouse: ${error.message}\n`);
        setResult(exitCodes.usage);
        return;
      }
      environment.stderr(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
      setResult(exitCodes.failure);
    } finally {
      await stores?.close();
    }
  }

  function auditEntries(changes: readonly KeyChangeEvent[]): AuditEntry[] {
    const newEventId = createRecordIdGenerator();
    return changes.map((change) => {
      const at = now();
      return auditEntryOf(keyChangeAuditEvent(change), newEventId(at), at);
    });
  }

  function report<T>(result: AdminResult<T>, print: (value: T) => void): number {
    if (result.type === 'rejected') {
      environment.stderr(`gatehouse: ${describe(result.error)}\n`);
      return result.error.status >= 500 ? exitCodes.failure : exitCodes.usage;
    }
    print(result.value);
    return exitCodes.ok;
  }

  const json = (value: unknown): void => environment.stdout(`${JSON.stringify(value, null, 2)}\n`);
  /** The tiers as the service merged them, for showing which limits a key gets from its tier. */
  const tierSettings = (service: KeyService, config: Config): TierSettings => ({
    tiers: service.tiers,
    defaultTier: config.keys.default_tier,
    defaultRequestsPerMinute: config.limits.default_requests_per_minute,
  });

  withAttributeOptions(keys.command('create').description('create a key; its secret is printed once')).action(
    (options: KeyOptions) =>
      withKeys(options, async (service) => {
        if (options.name === undefined) throw new UsageError('keys create needs --name.');
        const created = await service.create(bodyOf(options, now()), 'cli');
        return report(created, ({ secret, key }) => {
          if (options.json === true) return json({ ...key, key: secret });
          environment.stdout(
            `Created key ${key.id} (${key.name}), tier ${key.tier}.\n\n  ${secret}\n\n` +
              'Store this key now: it is shown only once and cannot be recovered.\n',
          );
        });
      }),
  );

  keys
    .command('list')
    .description('list every key (never their secrets)')
    .option('--config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((options: KeyOptions) =>
      withKeys(options, async (service) =>
        report(await service.list(), (list) =>
          options.json === true ? json(list) : environment.stdout(keysTable(list, now())),
        ),
      ),
    );

  keys
    .command('show')
    .description('show one key')
    .argument('<id>', 'the key id (key_...)')
    .option('--config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((id: string, options: KeyOptions) =>
      withKeys(options, async (service, config) =>
        report(await service.show(id), (key) =>
          options.json === true
            ? json(key)
            : environment.stdout(keyDetails(key, tierSettings(service, config), now())),
        ),
      ),
    );

  withAttributeOptions(
    keys.command('update').description("change a key's attributes").argument('<id>', 'the key id (key_...)'),
  )
    .option('--clear <fields>', `comma-separated fields to clear: ${Object.keys(clearable).join(', ')}`)
    .action((id: string, options: KeyOptions) =>
      withKeys(options, async (service, config) => {
        const set = bodyOf(options, now());
        const body = { ...set, ...clearedFields(options, set) };
        return report(await service.update(id, body, 'cli'), (key) => {
          if (options.json === true) return json(key);
          environment.stdout(
            `Updated key ${key.id}.\n${keyDetails(key, tierSettings(service, config), now())}`,
          );
        });
      }),
    );

  keys
    .command('revoke')
    .description('revoke a key: it stops working on every replica within a second')
    .argument('<id>', 'the key id (key_...)')
    .option('--config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((id: string, options: KeyOptions) =>
      withKeys(options, async (service) =>
        report(await service.revoke(id, 'cli'), (key) =>
          options.json === true
            ? json(key)
            : environment.stdout(`Revoked key ${key.id} (${key.name}) at ${key.revoked_at ?? ''}.\n`),
        ),
      ),
    );
}
