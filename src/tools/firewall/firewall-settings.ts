/**
 * The tool-call firewall's settings, as the configuration's `firewall:` section gives them
 * (docs/tool-firewall.md, docs/configuration.md).
 */

/** What a refused tool call does to the answer: taken out of it, or the whole answer refused. */
export type OnDeny = 'remove' | 'error';

export interface FirewallSettings {
  readonly enabled: boolean;
  readonly onDeny: OnDeny;
  /** How long an answer waits for a reviewer when a call needs review; 0: not at all. */
  readonly reviewWaitMs: number;
  /**
   * The confidence each call is authorized with (a model's tool call asserts none); undefined:
   * none, and governance's `missing_mode` decides as for any request without one.
   */
  readonly confidence: number | undefined;
}

/** The `firewall` section as its schema outputs it (snake_case). */
export interface FirewallConfigSection {
  readonly enabled: boolean;
  readonly on_deny: OnDeny;
  readonly review_wait_ms: number;
  readonly confidence: number | null;
}

export function firewallSettingsFrom(section: FirewallConfigSection): FirewallSettings {
  return Object.freeze({
    enabled: section.enabled,
    onDeny: section.on_deny,
    reviewWaitMs: section.review_wait_ms,
    confidence: section.confidence ?? undefined,
  });
}
