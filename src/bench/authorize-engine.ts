import { performance } from 'node:perf_hooks';
import {
  decide,
  defaultGovernanceSettings,
  neutralAgentSignals,
  validateAuthorizeRequest,
  type AuthorizeRequest,
} from '../governance/index.js';
import { compilePolicy } from '../governance/policies/index.js';
import { benchAuthorizeBodies, benchPolicyText } from './authorize-workload.js';
import { createSampleRecorder, type Percentiles } from './statistics.js';

/**
 * The decision engine alone, in this process: `decide` (screen, confidence, gates, risk, the
 * Cedar policy, merge) over the bench's 100-rule policy, one decision after another, each timed.
 * No HTTP, no audit, no metrics: what a decision costs before the route adds its work. Screening
 * for injection is the guard's (its trained detector), measured with the route, not here.
 */

const unscreened = () => ({ detected: false }) as const;

export interface EngineBenchResult {
  readonly decisions: number;
  readonly decisionsPerSecond: number;
  readonly latency: Percentiles;
  /** How many of each decision the run made (allow, deny, human_review, read_only). */
  readonly decisionCounts: Readonly<Record<string, number>>;
}

function benchRequests(): AuthorizeRequest[] {
  return benchAuthorizeBodies().map((body) => {
    const validated = validateAuthorizeRequest(body);
    if (!validated.ok) throw new Error(`the bench's authorize body is invalid: ${validated.error.message}`);
    return validated.request;
  });
}

export function runEngineBench(durationMs: number): EngineBenchResult {
  const compiled = compilePolicy(benchPolicyText(), 1);
  if (compiled.type !== 'compiled') throw new Error(`the bench policy is invalid: ${compiled.message}`);
  const requests = benchRequests();
  const latency = createSampleRecorder();
  const decisionCounts: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + durationMs;
  for (let index = 0; performance.now() < deadline; index += 1) {
    const request = requests[index % requests.length];
    if (request === undefined) break;
    const begun = performance.now();
    const decision = decide({
      request,
      settings: defaultGovernanceSettings,
      policy: compiled.snapshot,
      signals: neutralAgentSignals,
      screen: unscreened,
      now: Date.now(),
    });
    latency.record(performance.now() - begun);
    decisionCounts[decision.kind] = (decisionCounts[decision.kind] ?? 0) + 1;
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const percentiles = latency.percentiles();
  if (percentiles === undefined) throw new Error('the engine bench made no decision');
  return {
    decisions: latency.count,
    decisionsPerSecond: latency.count / elapsedSeconds,
    latency: percentiles,
    decisionCounts,
  };
}
