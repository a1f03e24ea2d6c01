import { createHash } from 'node:crypto';
import type { AuthorizeToolCall, AwaitReview, FirewallScope, ReviewResolution } from './firewall-contract.js';
import type { FirewallSettings } from './firewall-settings.js';
import type { FirewallObserver, ModelToolCall, ToolCallVerdict } from './tool-call-verdict.js';

/**
 * Judges one tool call: asks the authorizer as for any action of the agent (the tool's name as the
 * action, its arguments as `args`), waits for a reviewer when the decision asks for one, and
 * reports the verdict. Never rejects: whatever goes wrong takes the call out (fail closed).
 */

export interface JudgeDependencies {
  readonly settings: FirewallSettings;
  readonly authorize: AuthorizeToolCall;
  readonly awaitReview: AwaitReview;
  readonly observer: FirewallObserver;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

export type Judge = (call: ModelToolCall, scope: FirewallScope) => Promise<ToolCallVerdict>;

/** The `source` a policy tells the firewall's requests by (`resource.source == "tool_call"`). */
export const toolCallSource = 'tool_call';

/** Empty arguments are none; text that is not JSON is judged as the text it is. */
export function argumentsOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Who resolved a review that nobody resolved before its TTL ran out (governance's `expired`). */
const expiredResolver = 'expired';

function resolvedBy(name: string | undefined): string {
  return name === undefined ? 'a reviewer' : `reviewer ${JSON.stringify(name)}`;
}

export function createJudge(dependencies: JudgeDependencies): Judge {
  const { settings, now } = dependencies;

  async function decide(call: ModelToolCall, scope: FirewallScope): Promise<ToolCallVerdict> {
    const base = { call, traceId: undefined, tenantId: undefined, reviewId: undefined };
    const answer = await dependencies.authorize({
      actor: scope.agent,
      action: call.name,
      resource: {
        source: toolCallSource,
        tool_call_id: call.id,
        model: scope.model,
        request_id: scope.requestId,
      },
      confidence: settings.confidence,
      args: argumentsOf(call.arguments),
      headers: scope.headers,
    });
    switch (answer.type) {
      case 'refused':
        return { ...base, outcome: 'failed', reason: `it could not be authorized: ${answer.reason}` };
      case 'allow':
      case 'deny': {
        const { traceId, tenantId, reason } = answer;
        return {
          ...base,
          traceId,
          tenantId,
          reason,
          outcome: answer.type === 'allow' ? 'allowed' : 'denied',
        };
      }
      case 'review': {
        const { traceId, tenantId, reviewId } = answer;
        const resolution = await waitForReviewer(reviewId, scope.signal);
        const decided = { ...base, traceId, tenantId, reviewId };
        switch (resolution.type) {
          case 'approved':
            return {
              ...decided,
              outcome: 'approved',
              reason: `approved by ${resolvedBy(resolution.resolvedBy)}`,
            };
          case 'denied': {
            if (resolution.resolvedBy === expiredResolver)
              return {
                ...decided,
                outcome: 'denied',
                reason: 'its review expired before anyone resolved it',
              };
            const note =
              resolution.note === undefined || resolution.note === '' ? '' : `: ${resolution.note}`;
            return {
              ...decided,
              outcome: 'denied',
              reason: `denied by ${resolvedBy(resolution.resolvedBy)}${note}`,
            };
          }
          case 'pending':
            return {
              ...decided,
              outcome: 'held',
              reason: `${answer.reason}; not reviewed within ${settings.reviewWaitMs} ms`,
            };
        }
      }
    }
  }

  async function waitForReviewer(reviewId: string, signal: AbortSignal): Promise<ReviewResolution> {
    if (settings.reviewWaitMs <= 0) return { type: 'pending' };
    try {
      return await dependencies.awaitReview(reviewId, settings.reviewWaitMs, signal);
    } catch {
      return { type: 'pending' };
    }
  }

  return async function judge(call, scope) {
    const started = now();
    let verdict: ToolCallVerdict;
    try {
      verdict = await decide(call, scope);
    } catch {
      verdict = {
        call,
        outcome: 'failed',
        reason: 'it could not be authorized: the authorizer failed',
        traceId: undefined,
        tenantId: undefined,
        reviewId: undefined,
      };
    }
    const finished = now();
    try {
      dependencies.observer.judged({
        verdict,
        agent: scope.agent,
        keyId: scope.keyId,
        requestId: scope.requestId,
        model: scope.model,
        dialect: scope.dialect,
        stream: scope.stream,
        argsHash: createHash('sha256').update(call.arguments).digest('hex'),
        timestamp: new Date(finished).toISOString(),
        latencyMs: finished - started,
      });
    } catch {
      // The observer records off the request path and does not throw; a verdict stands regardless.
    }
    return verdict;
  };
}
