/** Prompt-injection settings, as the configuration's `guard.injection` section gives them. */

/** Ordered from the least to the most strict: a caller may only move a request to the right. */
export const injectionActions = ['off', 'log', 'flag', 'block'] as const;
export type InjectionAction = (typeof injectionActions)[number];
export type FailMode = 'open' | 'closed';
/** Which messages of a chat request are scored (docs/guard.md, decision 0017). */
export type HistoryScope = 'latest_turn' | 'all';
/** The model routes by the dialect they speak: `/v1/chat/completions` and `/v1/messages`. */
export type ModelRoute = 'chat_completions' | 'messages';

export interface InjectionOverride {
  readonly action: InjectionAction | undefined;
  readonly threshold: number | undefined;
}

/** What applies to one request once every level has had its say. */
export interface InjectionPolicy {
  readonly action: InjectionAction;
  readonly threshold: number;
}

export interface InjectionSettings {
  readonly enabled: boolean;
  readonly action: InjectionAction;
  readonly threshold: number;
  readonly failMode: FailMode;
  readonly history: HistoryScope;
  readonly routes: Readonly<Record<ModelRoute, InjectionOverride>>;
  /** What a detection in an agent's `action`, `resource` or `args` does. */
  readonly agentAuthorize: InjectionPolicy & { readonly action: 'off' | 'log' | 'block' };
  /** By the model name callers send; a Map, so a model named `__proto__` finds nothing. */
  readonly models: ReadonlyMap<string, InjectionOverride>;
  readonly maxScanChars: number;
  readonly alert: {
    readonly enabled: boolean;
    readonly minScore: number;
    readonly maxPerMinute: number;
  };
}

/** The key metadata entry that sets a key's own action (`off`, `log`, `flag` or `block`). */
export const keyActionMetadata = 'guard_injection_action';

interface ConfiguredOverride {
  readonly action?: InjectionAction | undefined;
  readonly threshold?: number | undefined;
}

/** The `guard.injection` section of the configuration file as its schema outputs it. */
export interface InjectionConfigSection {
  readonly enabled: boolean;
  readonly action: InjectionAction;
  readonly threshold: number;
  readonly fail_mode: FailMode;
  readonly history: HistoryScope;
  readonly routes: {
    readonly chat_completions?: ConfiguredOverride | undefined;
    readonly messages?: ConfiguredOverride | undefined;
    readonly agent_authorize: {
      readonly action: 'off' | 'log' | 'block';
      readonly threshold?: number | undefined;
    };
  };
  readonly models: Readonly<Record<string, ConfiguredOverride>>;
  readonly max_scan_chars: number;
  readonly alert: {
    readonly enabled: boolean;
    readonly min_score: number;
    readonly max_per_minute: number;
  };
}

function overrideFrom(configured: ConfiguredOverride | undefined): InjectionOverride {
  return { action: configured?.action, threshold: configured?.threshold };
}

export function injectionSettingsFrom(section: InjectionConfigSection): InjectionSettings {
  const { routes } = section;
  return {
    enabled: section.enabled,
    action: section.action,
    threshold: section.threshold,
    failMode: section.fail_mode,
    history: section.history,
    routes: {
      chat_completions: overrideFrom(routes.chat_completions),
      messages: overrideFrom(routes.messages),
    },
    agentAuthorize: {
      action: routes.agent_authorize.action,
      threshold: routes.agent_authorize.threshold ?? section.threshold,
    },
    models: new Map(Object.entries(section.models).map(([model, entry]) => [model, overrideFrom(entry)])),
    maxScanChars: section.max_scan_chars,
    alert: {
      enabled: section.alert.enabled,
      minScore: section.alert.min_score,
      maxPerMinute: section.alert.max_per_minute,
    },
  };
}

/** The stricter of two actions. */
export function stricter(first: InjectionAction, second: InjectionAction): InjectionAction {
  return injectionActions.indexOf(first) >= injectionActions.indexOf(second) ? first : second;
}

export function isInjectionAction(value: unknown): value is InjectionAction {
  return typeof value === 'string' && (injectionActions as readonly string[]).includes(value);
}
