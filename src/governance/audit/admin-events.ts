import type { AuditEvent } from './audit-event.js';

/**
 * A change to a virtual key as the keys module reports it (its KeyChangeEvent), declared here
 * structurally so that governance does not import keys/.
 */
export interface KeyChange {
  readonly type: 'key.created' | 'key.updated' | 'key.revoked';
  readonly keyId: string;
  readonly name: string;
  readonly by: string | undefined;
  readonly time: number;
  readonly role: string;
  readonly tier: string;
  readonly team: string | undefined;
  readonly agentId: string | undefined;
  readonly changed: readonly string[];
}

/** Who (`actor`: the admin's key id, `master`, `cli`) did what (`action`) to which key (`resource`). */
export function keyChangeAuditEvent(change: KeyChange): AuditEvent {
  return {
    type: change.type,
    timestamp: new Date(change.time).toISOString(),
    actor: change.by,
    action: change.type,
    resource: { key_id: change.keyId, name: change.name },
    details: {
      role: change.role,
      tier: change.tier,
      team: change.team,
      agent_id: change.agentId,
      ...(change.type === 'key.updated' ? { changed: change.changed } : {}),
    },
  };
}
