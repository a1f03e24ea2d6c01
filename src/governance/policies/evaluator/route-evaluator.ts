import type { AuthorizationAnswer, AuthorizationError } from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyRequest } from '../../contract.js';
import type { ContextNeeds } from '../context-needs.js';
import { EvaluationFailure } from './operators.js';
import { requestEnvironment } from './request-values.js';
import type { CompiledPolicy, PolicyCompilation } from './compile-policy.js';

/**
 * A route's policies (policy-groups.ts) evaluated in JavaScript, giving the answer Cedar's
 * `statefulIsAuthorized` gives for them: deny naming every forbid that holds; else allow naming
 * every permit that holds; else deny naming none; and every policy whose condition erred in
 * `diagnostics.errors` (with our own message, not Cedar's wording). Undefined for a request Cedar
 * would refuse to read (request-values.ts): the caller then asks Cedar.
 */
export type RouteEvaluator = (request: PolicyRequest) => AuthorizationAnswer | undefined;

/**
 * Undefined unless every policy of the route compiled: a route is decided by one engine. `needs`:
 * the context attributes the route's policies read (the context Cedar would be given).
 */
export function routeEvaluator(
  compilations: readonly PolicyCompilation[],
  needs: ContextNeeds,
): RouteEvaluator | undefined {
  const policies: CompiledPolicy[] = [];
  for (const compilation of compilations) {
    if (compilation.type === 'unsupported') return undefined;
    policies.push(compilation.policy);
  }
  return (request) => {
    const environment = requestEnvironment(request, needs);
    if (environment === undefined) return undefined;
    const forbids: string[] = [];
    const permits: string[] = [];
    const errors: AuthorizationError[] = [];
    for (const policy of policies) {
      try {
        if (policy.holds(environment)) (policy.effect === 'forbid' ? forbids : permits).push(policy.id);
      } catch (error) {
        if (!(error instanceof EvaluationFailure)) throw error;
        errors.push({ policyId: policy.id, error: detailedError(error.message) });
      }
    }
    const decision = forbids.length === 0 && permits.length > 0 ? 'allow' : 'deny';
    const reason = forbids.length > 0 ? forbids : permits;
    return { type: 'success', response: { decision, diagnostics: { reason, errors } }, warnings: [] };
  };
}

function detailedError(message: string): AuthorizationError['error'] {
  return { message, help: null, code: null, url: null, severity: null };
}
