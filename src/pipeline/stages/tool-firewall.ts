import type { FirewallScope, ToolFirewall } from '../../tools/firewall/index.js';
import type { Answer, AnswerStage, Call } from '../stage.js';

/**
 * The tool-call firewall's answer stage: for a key bound to an agent, the tool calls in the answer
 * are judged before the caller receives them (docs/tool-firewall.md). Any other answer, and a JSON
 * answer that holds no tool call, is returned as it is, at no cost.
 */
export function createToolFirewallStage(firewall: ToolFirewall): AnswerStage {
  function scopeOf(call: Call, agent: string, keyId: string, stream: boolean): FirewallScope {
    const { context } = call;
    return {
      dialect: context.dialect,
      agent,
      keyId,
      requestId: context.requestId,
      model: call.summary?.model ?? '',
      stream,
      headers: context.headers,
      signal: context.signal,
    };
  }

  return {
    name: 'tool-firewall',
    wrap(answer: Answer, call: Call): Answer | Promise<Answer> {
      const principal = call.principal;
      const agent = principal?.agentId;
      if (principal === undefined || agent === undefined || call.context.operation !== 'chat') return answer;
      if (answer.type === 'stream') {
        const frames = firewall.reviewStream(answer.frames, scopeOf(call, agent, principal.keyId, true));
        return { ...answer, frames };
      }
      if (!firewall.mayHoldCalls(answer.body, call.context.dialect)) return answer;
      return firewall
        .reviewJson(answer.body, scopeOf(call, agent, principal.keyId, false))
        .then((reviewed) => {
          if (reviewed === undefined) return answer;
          const meta = {
            ...answer.meta,
            answerHeaders: { ...answer.meta.answerHeaders, ...reviewed.headers },
          };
          return reviewed.refusal === undefined
            ? { ...answer, body: reviewed.body, meta }
            : { ...answer, body: reviewed.body, meta, error: reviewed.refusal };
        });
    },
  };
}
