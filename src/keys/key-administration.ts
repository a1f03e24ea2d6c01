import { GatewayError } from '../errors/index.js';
import { generateKeyMaterial, isWellFormedKeyId, type RandomBytes } from './key-format.js';
import { mergeLimits, type KeyValidation } from './key-validation.js';
import type { KeyChangeEvent, KeyChangeEvents } from './key-events.js';
import { keyView, type KeyView } from './key-view.js';
import type { KeyPatch, KeyStore, StoredKey } from './types.js';

/** An admin operation's outcome: refusals (bad input, unknown key, duplicate name) are values. */
export type AdminResult<T> =
  { readonly type: 'ok'; readonly value: T } | { readonly type: 'rejected'; readonly error: GatewayError };

export interface CreatedKey {
  /** The secret: in this answer and nowhere else, ever. */
  readonly secret: string;
  readonly key: KeyView;
}

/** `by`: who asks (an admin key's id, `master`, `cli`), for the audit trail. */
export interface KeyAdministration {
  create(body: unknown, by?: string): Promise<AdminResult<CreatedKey>>;
  list(): Promise<AdminResult<readonly KeyView[]>>;
  show(id: string): Promise<AdminResult<KeyView>>;
  update(id: string, body: unknown, by?: string): Promise<AdminResult<KeyView>>;
  /** Revoking a revoked key is not an error; it answers the key as it is (and changes nothing). */
  revoke(id: string, by?: string): Promise<AdminResult<KeyView>>;
}

export interface KeyAdministrationDependencies {
  readonly store: KeyStore;
  readonly validation: KeyValidation;
  readonly defaultTier: string;
  readonly now: () => number;
  readonly randomBytes: RandomBytes | undefined;
  /** Called with every key this replica changes, so its own cache is right at once, not a refresh later. */
  readonly changed: (key: StoredKey) => void;
  /** Told of every change made (not of refusals), for the audit trail. */
  readonly events?: KeyChangeEvents | undefined;
}

const ok = <T>(value: T): AdminResult<T> => ({ type: 'ok', value });
const rejected = (error: GatewayError): { readonly type: 'rejected'; readonly error: GatewayError } => ({
  type: 'rejected',
  error,
});
const notFound = (id: string) =>
  rejected(new GatewayError('not_found', `No key with id '${id}'.`, { param: 'id' }));
// 409 Conflict: the request is well formed but clashes with what exists; the code stays invalid_request.
const duplicateName = (name: string) =>
  rejected(
    new GatewayError('invalid_request', `A key named '${name}' already exists.`, {
      param: 'name',
      status: 409,
    }),
  );

function changeEvent(
  type: KeyChangeEvent['type'],
  key: StoredKey,
  by: string | undefined,
  changed: readonly string[] = [],
): KeyChangeEvent {
  const { id, name, role, tier, team, agentId } = key;
  return { type, keyId: id, name, by, time: key.updatedAt, role, tier, team, agentId, changed };
}

export function createKeyAdministration(dependencies: KeyAdministrationDependencies): KeyAdministration {
  const { store, validation, defaultTier, now, changed, events } = dependencies;

  async function find(id: string): Promise<StoredKey | undefined> {
    return isWellFormedKeyId(id) ? store.findById(id) : undefined;
  }

  return {
    async create(body, by) {
      const parsed = validation.parseCreate(body);
      if (parsed.type === 'invalid') return rejected(parsed.error);
      const input = parsed.value;
      const material = generateKeyMaterial(dependencies.randomBytes);
      const at = now();
      const key: StoredKey = {
        id: material.id,
        name: input.name,
        hash: material.hash,
        prefix: material.prefix,
        tier: input.tier ?? defaultTier,
        role: input.role,
        team: input.team,
        owner: input.owner,
        agentId: input.agentId,
        models: input.models,
        limits: input.limits,
        budget: input.budget,
        metadata: input.metadata,
        createdAt: at,
        updatedAt: at,
        expiresAt: input.expiresAt,
        revokedAt: undefined,
      };
      const inserted = await store.insert(key);
      if (inserted.type === 'duplicate_name') return duplicateName(input.name);
      changed(key);
      events?.keyChanged(changeEvent('key.created', key, by));
      return ok({ secret: material.secret, key: keyView(key) });
    },

    async list() {
      const keys = await store.list();
      const ordered = [...keys].sort(
        (first, second) => first.createdAt - second.createdAt || first.id.localeCompare(second.id),
      );
      return ok(ordered.map(keyView));
    },

    async show(id) {
      const key = await find(id);
      return key === undefined ? notFound(id) : ok(keyView(key));
    },

    async update(id, body, by) {
      if (!isWellFormedKeyId(id)) return notFound(id);
      const parsed = validation.parseUpdate(body);
      if (parsed.type === 'invalid') return rejected(parsed.error);
      const update = parsed.value;
      const existing = await store.findById(id);
      if (existing === undefined) return notFound(id);
      if (existing.revokedAt !== undefined) {
        return rejected(
          new GatewayError(
            'invalid_request',
            `Key '${id}' has been revoked; a revoked key cannot be changed.`,
            {
              param: 'id',
              status: 409,
            },
          ),
        );
      }
      const patch: { -readonly [field in keyof KeyPatch]: KeyPatch[field] } = {};
      if (update.name !== undefined) patch.name = update.name;
      if (update.tier !== undefined) patch.tier = update.tier;
      if (update.role !== undefined) patch.role = update.role;
      if (update.team !== undefined) patch.team = update.team ?? undefined;
      if (update.owner !== undefined) patch.owner = update.owner ?? undefined;
      if (update.agentId !== undefined) patch.agentId = update.agentId ?? undefined;
      if (update.models !== undefined) patch.models = update.models;
      if (update.limits !== undefined) patch.limits = mergeLimits(existing.limits, update.limits);
      if (update.budget !== undefined) patch.budget = update.budget ?? undefined;
      if (update.metadata !== undefined) patch.metadata = update.metadata;
      if (update.expiresAt !== undefined) patch.expiresAt = update.expiresAt ?? undefined;
      const updated = await store.update(id, patch, now());
      if (updated === undefined) return notFound(id);
      if (updated === 'duplicate_name') return duplicateName(update.name ?? existing.name);
      changed(updated);
      events?.keyChanged(changeEvent('key.updated', updated, by, Object.keys(patch)));
      return ok(keyView(updated));
    },

    async revoke(id, by) {
      const existing = await find(id);
      if (existing === undefined) return notFound(id);
      if (existing.revokedAt !== undefined) return ok(keyView(existing));
      const revoked = await store.revoke(id, now());
      if (revoked === undefined) return notFound(id);
      changed(revoked);
      events?.keyChanged(changeEvent('key.revoked', revoked, by));
      return ok(keyView(revoked));
    },
  };
}
