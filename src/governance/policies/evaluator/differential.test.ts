import { preparsePolicySet, type AuthorizationAnswer } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyRequest } from '../../contract.js';
import { parsePolicyText } from '../cedar-policy-text.js';
import { toCedarRequest } from '../cedar-values.js';
import { unionOfNeeds } from '../context-needs.js';
import { authorize } from '../policy-snapshot.js';
import { compilePolicyJson } from './compile-policy.js';
import { routeEvaluator } from './route-evaluator.js';
import { policySetText } from './test-policy-arbitraries.js';
import { policyRequests } from './test-request-arbitraries.js';

/**
 * The proof that the compiled evaluator is exact: random policy sets within its subset, each
 * compiled both ways (Cedar's pre-parsed set, and the evaluator), asked the same random requests;
 * the decision, the determining policies and the erring policies must be the same. Seeded, so a
 * failure reproduces; fast-check shrinks it to a small policy and request.
 */

interface Outcome {
  readonly decision: string;
  readonly reason: readonly string[];
  readonly errors: readonly string[];
}

function outcomeOf(answer: AuthorizationAnswer): Outcome | { readonly failure: string } {
  if (answer.type === 'failure') return { failure: answer.errors.map((error) => error.message).join('; ') };
  const { decision, diagnostics } = answer.response;
  return {
    decision,
    reason: [...diagnostics.reason].sort(),
    errors: diagnostics.errors.map((error) => error.policyId).sort(),
  };
}

let setCounter = 0;

interface BothWays {
  readonly cedar: (request: PolicyRequest) => AuthorizationAnswer;
  readonly compiled: (request: PolicyRequest) => AuthorizationAnswer | undefined;
}

function compileBothWays(text: string): BothWays {
  const parsed = parsePolicyText(text);
  if (parsed.type === 'invalid') throw new Error(`${parsed.message}\n${text}`);
  const setId = `differential-${setCounter++}`;
  const staticPolicies = Object.fromEntries(parsed.policies.map((policy) => [policy.id, policy.text]));
  const prepared = preparsePolicySet(setId, { staticPolicies });
  if (prepared.type === 'failure') throw new Error(prepared.errors.map((error) => error.message).join('; '));
  const needs = unionOfNeeds(parsed.policies.map((policy) => policy.contextNeeds));
  const compilations = parsed.policies.map((policy) => compilePolicyJson(policy.id, policy.json));
  const unsupported = compilations.find((compilation) => compilation.type === 'unsupported');
  if (unsupported !== undefined) throw new Error(`outside the subset: ${unsupported.reason}\n${text}`);
  const evaluator = routeEvaluator(compilations, needs);
  if (evaluator === undefined) throw new Error('no evaluator');
  return { cedar: (request) => authorize(setId, toCedarRequest(request, needs)), compiled: evaluator };
}

/** Cedar's answer, or the message it threw (it throws on strings its JSON reader refuses). */
function cedarOutcome(both: BothWays, request: PolicyRequest): Outcome | { readonly failure: string } {
  try {
    return outcomeOf(both.cedar(request));
  } catch (error) {
    return { failure: `threw: ${String(error)}` };
  }
}

const counts = { compared: 0, declined: 0, allowed: 0, forbidden: 0, erred: 0 };

function agree(text: string, requests: readonly PolicyRequest[]): void {
  const both = compileBothWays(text);
  for (const request of requests) {
    const cedar = cedarOutcome(both, request);
    const compiledAnswer = both.compiled(request);
    if (compiledAnswer === undefined) {
      // The evaluator declines only requests Cedar itself cannot read.
      expect(cedar).toHaveProperty('failure');
      counts.declined += 1;
      continue;
    }
    expect(outcomeOf(compiledAnswer), `${text}\n${JSON.stringify(request)}`).toEqual(cedar);
    counts.compared += 1;
    if ('decision' in cedar && cedar.decision === 'allow') counts.allowed += 1;
    if ('decision' in cedar && cedar.decision === 'deny' && cedar.reason.length > 0) counts.forbidden += 1;
    if ('errors' in cedar && cedar.errors.length > 0) counts.erred += 1;
  }
}

describe('the compiled evaluator against Cedar', () => {
  it('gives Cedar’s decision, determining policies and erring policies on random policies and requests', () => {
    fc.assert(fc.property(policySetText, fc.array(policyRequests, { minLength: 1, maxLength: 6 }), agree), {
      seed: 20_260_611,
      numRuns: 1_500,
    });
    // The generators must exercise every outcome, not just agree on trivia.
    expect(counts.compared).toBeGreaterThan(4_000);
    expect(counts.allowed).toBeGreaterThan(counts.compared / 20);
    expect(counts.erred).toBeGreaterThan(counts.compared / 20);
    expect(counts.declined).toBeLessThan(counts.compared / 20);
  });
});

/** A decimal's text moved by `steps` ten-thousandths (the text as `toFixed(4)` writes it). */
function shifted(text: string, steps: bigint): string {
  const scaled = BigInt(text.replace('.', '')) + steps;
  const magnitude = scaled < 0n ? -scaled : scaled;
  const digits = String(magnitude).padStart(5, '0');
  return `${scaled < 0n ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** Numbers at and around every rounding boundary, far and near a decimal's limits. */
const probedNumbers = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: -99_999, max: 99_999 }),
      fc.constantFrom(0.00005, 0.000049999999, 0.000050000001, 0),
    )
    .map(([steps, offset]) => steps / 10_000 + offset),
  fc.double({ noNaN: true, min: -1e15, max: 1e15 }),
  fc.double({ noNaN: true, min: -1, max: 1 }),
  fc.constantFrom(
    Number('922337203685476.9'),
    -Number('922337203685476.9'),
    922337203685477.5,
    922337203685476.5,
    Number('123456789012.34565'),
    Number('99999999999.99995'),
    1e-7,
    -1e-7,
    9007199254740991,
    1.5,
    -0.00005,
    0.95005,
    0.50005,
  ),
);

function thresholdPolicies(value: number): string {
  const text = Number.isFinite(value) && Math.abs(value) < 1e15 ? value.toFixed(4) : '0.0000';
  const thresholds = [text, shifted(text, 1n), shifted(text, -1n)];
  return thresholds
    .flatMap((threshold, index) => [
      `@id("eq${index}") permit(principal, action, resource) when { context.args.rate == decimal("${threshold}") };`,
      `@id("lt${index}") permit(principal, action, resource) when { context.args.rate.lessThan(decimal("${threshold}")) };`,
      `@id("ge${index}") permit(principal, action, resource) when { context.args.rate.greaterThanOrEqual(decimal("${threshold}")) };`,
      `@id("risk${index}") forbid(principal, action, resource) when { context.risk.greaterThan(decimal("${threshold}")) && context.args.flag };`,
    ])
    .concat([
      `@id("long") permit(principal, action, resource) when { context.args.rate == ${Math.trunc(value) || 0} };`,
      `@id("text") permit(principal, action, resource) when { context.args.rate == "${String(value)}" };`,
    ])
    .join('\n');
}

describe('numbers in requests, compiled and in Cedar', () => {
  it('become the same Long, decimal or text at every rounding boundary and limit', () => {
    const base = fc.sample(policyRequests, { seed: 7, numRuns: 1 })[0]!;
    fc.assert(
      fc.property(probedNumbers, fc.boolean(), (value, flag) => {
        const request = { ...base, context: { ...base.context, risk: value, args: { rate: value, flag } } };
        agree(thresholdPolicies(value), [request]);
      }),
      { seed: 20_260_612, numRuns: 300 },
    );
  });
});
