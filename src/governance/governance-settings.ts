import { bySpecificity, compileActionPattern, type ActionPattern } from './action-pattern.js';
import { defaultModelsSection, type ModelsConfigSection } from './analytics/prediction/model-settings.js';
import { defaultAnalyticsSection, type AnalyticsConfigSection } from './analytics/analytics-settings.js';
import { defaultDelegationSection, type DelegationConfigSection } from './delegation/delegation-settings.js';

/** Agent-governance settings, as the configuration's `governance:` section gives them. */

export type EnforcementMode = 'enforce' | 'shadow';
/** The outcome for a request without a usable confidence. */
export type MissingConfidenceMode = 'deny' | 'review' | 'read_only';

/** Confidence thresholds: at or above `allow` allows, `review` asks a human, `readOnly` downgrades. */
export interface Gates {
  readonly allow: number;
  readonly review: number;
  readonly readOnly: number;
}

export type PartialGates = { readonly [Gate in keyof Gates]?: number | undefined };

export interface AgentSettings {
  readonly gates: PartialGates | undefined;
  readonly mode: EnforcementMode | undefined;
}

/** One entry of the action catalog, by the pattern it was configured under. */
export interface ActionEntry {
  readonly pattern: string;
  /** In [0, 1]; unset: the keyword heuristic decides. */
  readonly criticality: number | undefined;
  /** The action only reads: a read-only outcome loses it nothing, and it is never granted more. */
  readonly readOnly: boolean;
  readonly gates: PartialGates | undefined;
}

export interface ActionCatalog {
  /** The most specific entry whose pattern matches the action (see `bySpecificity`), if any. */
  lookup(action: string): ActionEntry | undefined;
}

export interface GovernanceSettings {
  readonly mode: EnforcementMode;
  readonly allowUnverifiedConfidence: boolean;
  readonly missingConfidenceMode: MissingConfidenceMode;
  readonly gates: Gates;
  /** By agent name; a Map, so an actor named `constructor` or `__proto__` finds nothing. */
  readonly agents: ReadonlyMap<string, AgentSettings>;
  readonly actions: ActionCatalog;
  /** The Cedar policy used while the database holds none (the policy engine reads it). */
  readonly initialPolicy: string;
  /** Authorization requests per minute per tenant; undefined: unlimited. */
  readonly tenantRequestsPerMinute: number | undefined;
}

interface ConfiguredGates {
  readonly allow?: number | undefined;
  readonly review?: number | undefined;
  readonly read_only?: number | undefined;
}

/**
 * The `governance` section of the configuration file as its schema outputs it (snake_case),
 * declared structurally so this module does not import `config/`.
 */
export interface GovernanceConfigSection {
  readonly mode: EnforcementMode;
  readonly confidence: {
    readonly allow_unverified: boolean;
    readonly missing_mode: MissingConfidenceMode;
    readonly gates: Required<{ readonly [Gate in keyof ConfiguredGates]: number }>;
  };
  readonly agents: Readonly<
    Record<
      string,
      { readonly gates?: ConfiguredGates | undefined; readonly mode?: EnforcementMode | undefined }
    >
  >;
  readonly actions: Readonly<
    Record<
      string,
      {
        readonly criticality?: number | undefined;
        readonly read_only?: boolean | undefined;
        readonly gates?: ConfiguredGates | undefined;
      }
    >
  >;
  readonly policy: { readonly cedar: string };
  /** Optional so that sections written before the limit existed still convert. */
  readonly rate_limit?: { readonly requests_per_minute?: number | undefined } | undefined;
  /** Optional so that sections written before the review queue existed still convert. */
  readonly review?: { readonly ttl_seconds: number } | undefined;
  /** Delegation and grants (converted by `delegationSettingsFrom`). */
  readonly delegation?: DelegationConfigSection | undefined;
  /**
   * Behavioural analytics: reputation, anomalies and policies (converted by `analyticsSettingsFrom`),
   * and the models (converted by `modelSettingsFrom`).
   */
  readonly analytics?: (AnalyticsConfigSection & ModelsConfigSection) | undefined;
}

function gatesFrom(gates: ConfiguredGates | undefined): PartialGates | undefined {
  if (gates === undefined) return undefined;
  return Object.freeze({ allow: gates.allow, review: gates.review, readOnly: gates.read_only });
}

interface CompiledEntry {
  readonly compiled: ActionPattern;
  readonly entry: ActionEntry;
}

/** Patterns are compiled and ordered here, once; a lookup only tests them in order. */
export function createActionCatalog(entries: readonly ActionEntry[]): ActionCatalog {
  const ordered: CompiledEntry[] = entries
    .map((entry) => ({ compiled: compileActionPattern(entry.pattern), entry: Object.freeze({ ...entry }) }))
    .sort((left, right) => bySpecificity(left.compiled, right.compiled));
  return {
    lookup: (action) => ordered.find(({ compiled }) => compiled.matches(action))?.entry,
  };
}

export function governanceSettingsFrom(section: GovernanceConfigSection): GovernanceSettings {
  const agents = new Map<string, AgentSettings>();
  for (const [name, agent] of Object.entries(section.agents)) {
    agents.set(name, Object.freeze({ gates: gatesFrom(agent.gates), mode: agent.mode }));
  }
  const actions = createActionCatalog(
    Object.entries(section.actions).map(([pattern, action]) => ({
      pattern,
      criticality: action.criticality,
      readOnly: action.read_only ?? false,
      gates: gatesFrom(action.gates),
    })),
  );
  const { gates } = section.confidence;
  return Object.freeze({
    mode: section.mode,
    allowUnverifiedConfidence: section.confidence.allow_unverified,
    missingConfidenceMode: section.confidence.missing_mode,
    gates: Object.freeze({ allow: gates.allow, review: gates.review, readOnly: gates.read_only }),
    agents,
    actions,
    initialPolicy: section.policy.cedar,
    tenantRequestsPerMinute: section.rate_limit?.requests_per_minute,
  });
}

/** An empty `governance:` section as the schema fills it in (governance does not import config/). */
export const defaultGovernanceSection: GovernanceConfigSection = {
  mode: 'enforce',
  confidence: {
    allow_unverified: false,
    missing_mode: 'deny',
    gates: { allow: 0.9, review: 0.7, read_only: 0.5 },
  },
  agents: {},
  actions: {},
  policy: { cedar: 'permit(principal, action, resource);' },
  rate_limit: {},
  review: { ttl_seconds: 86_400 },
  delegation: defaultDelegationSection,
  analytics: { ...defaultAnalyticsSection, ...defaultModelsSection },
};

/** The settings of an empty `governance:` section. */
export const defaultGovernanceSettings: GovernanceSettings = governanceSettingsFrom(defaultGovernanceSection);
