import { GatewayError } from '../errors/index.js';
import {
  isInjectionAction,
  stricter,
  type InjectionAction,
  type InjectionOverride,
  type InjectionPolicy,
  type InjectionSettings,
  type ModelRoute,
} from './injection-settings.js';

/**
 * The action and threshold for one model request: the section's, then the route's, the model's
 * and the key's (each only where it says something), and last the caller's `x-gatehouse-guard`
 * header, which may make the action stricter for this request and never looser.
 */

/** The request header a caller asks for a stricter action with, and the response header a flag sets. */
export const guardHeader = 'x-gatehouse-guard';

const callerActions = ['log', 'flag', 'block'] as const;

export interface PolicyRequest {
  readonly route: ModelRoute;
  readonly model: string;
  /** The key's own action (its metadata entry), already checked; undefined when it sets none. */
  readonly keyAction: InjectionAction | undefined;
  /** The caller's header, as Node gives it. */
  readonly requested: string | readonly string[] | undefined;
}

export type PolicyResolution =
  | { readonly ok: true; readonly policy: InjectionPolicy }
  | { readonly ok: false; readonly error: GatewayError };

const badHeader = new GatewayError(
  'invalid_request',
  `The ${guardHeader} header must be log, flag or block (a stricter action than the configured one for this request).`,
  { param: guardHeader },
);

function applied(policy: InjectionPolicy, override: InjectionOverride | undefined): InjectionPolicy {
  if (override === undefined || (override.action === undefined && override.threshold === undefined))
    return policy;
  return { action: override.action ?? policy.action, threshold: override.threshold ?? policy.threshold };
}

/** The caller's requested action; undefined without the header, an error for anything else. */
export function requestedAction(
  requested: string | readonly string[] | undefined,
): InjectionAction | undefined | GatewayError {
  if (requested === undefined) return undefined;
  if (typeof requested !== 'string') return badHeader;
  const action = requested.trim().toLowerCase();
  return (callerActions as readonly string[]).includes(action) ? (action as InjectionAction) : badHeader;
}

export type PolicyResolver = (request: PolicyRequest) => PolicyResolution;

/**
 * Resolves requests' policies from policies computed once: per route, and per route and configured
 * model (other model names, which a caller may invent without bound, take the route's), so that a
 * request without a key action or a header allocates nothing.
 */
export function createPolicyResolver(settings: InjectionSettings): PolicyResolver {
  const section: InjectionPolicy = { action: settings.action, threshold: settings.threshold };
  const byRoute = new Map(
    (['chat_completions', 'messages'] as const).map((route) => {
      const routePolicy = applied(section, settings.routes[route]);
      const models = new Map(
        [...settings.models].map(([model, override]) => [
          model,
          { ok: true, policy: applied(routePolicy, override) } as const,
        ]),
      );
      return [route, { route: { ok: true, policy: routePolicy } as const, models }] as const;
    }),
  );
  return (request) => {
    const requested = requestedAction(request.requested);
    if (requested instanceof GatewayError) return { ok: false, error: requested };
    const resolved = byRoute.get(request.route);
    if (resolved === undefined) throw new Error(`no guard policy for the route ${request.route}`);
    const base = resolved.models.get(request.model) ?? resolved.route;
    if (request.keyAction === undefined && requested === undefined) return base;
    let { policy } = base;
    if (request.keyAction !== undefined) policy = { ...policy, action: request.keyAction };
    if (requested !== undefined) policy = { ...policy, action: stricter(policy.action, requested) };
    return { ok: true, policy };
  };
}

/** A key's metadata entry as an action: undefined when absent, `invalid` for a value that is none. */
export function keyActionOf(value: string | undefined): InjectionAction | undefined | 'invalid' {
  if (value === undefined) return undefined;
  const action = value.trim().toLowerCase();
  return isInjectionAction(action) ? action : 'invalid';
}
