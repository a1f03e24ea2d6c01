import { codecs } from '../../dialects/index.js';
import { GatewayError } from '../../errors/index.js';
import type { Dialect } from '../../llm/index.js';
import { reviewAnthropicMessage } from './anthropic-answer.js';
import { createAnthropicStreamRewriter } from './anthropic-stream.js';
import type { FirewallScope } from './firewall-contract.js';
import { removalHeaders } from './firewall-note.js';
import type { FirewallSettings } from './firewall-settings.js';
import { isObject } from './json-values.js';
import { reviewOpenaiCompletion } from './openai-answer.js';
import { createOpenaiStreamRewriter, type StreamJudging } from './openai-stream.js';
import { rewriteStream, type Frame } from './stream-pump.js';
import { createJudge, type JudgeDependencies } from './tool-call-judge.js';
import { refuses, type ModelToolCall, type ToolCallVerdict } from './tool-call-verdict.js';

/**
 * The tool-call firewall (docs/tool-firewall.md): the tool calls a model returns to an agent's key
 * are authorized before the caller receives them, in JSON answers and in streams, in both
 * dialects. The pipeline's answer stage decides when it applies; this decides what happens.
 */

export interface ReviewedJson {
  readonly body: Buffer;
  /** `x-gatehouse-tool-calls-removed` and `x-gatehouse-tool-calls-held`, when calls were taken out. */
  readonly headers: Readonly<Record<string, string>>;
  /** Under `on_deny: error`, the error the whole answer becomes. */
  readonly refusal: GatewayError | undefined;
  readonly verdicts: readonly ToolCallVerdict[];
}

export interface ToolFirewall {
  readonly settings: FirewallSettings;
  /** Whether a JSON answer may hold tool calls at all: a text search, no parsing. */
  mayHoldCalls(body: Buffer, dialect: Dialect): boolean;
  /** The answer with its calls judged; undefined when it holds none (it goes out as it is). */
  reviewJson(body: Buffer, scope: FirewallScope): Promise<ReviewedJson | undefined>;
  /** The stream with its calls judged as they complete; text flows as it comes. */
  reviewStream(frames: AsyncIterable<Frame>, scope: FirewallScope): AsyncIterable<Frame>;
}

/** Why the answer is refused: the call (the first refused, when several were) and the reason. */
export function refusalOf(verdicts: readonly ToolCallVerdict[], agent: string): GatewayError | undefined {
  const refused = verdicts.filter(refuses);
  const first = refused[0];
  if (first === undefined) return undefined;
  const others =
    refused.length > 1
      ? ` (and ${refused.length - 1} more refused call${refused.length > 2 ? 's' : ''})`
      : '';
  return new GatewayError(
    'permission_denied',
    `The model's answer called tool ${JSON.stringify(first.call.name)} (call ${JSON.stringify(first.call.id)}), which agent ${JSON.stringify(agent)} may not use: ${first.reason.replace(/\.+$/, '')}${others}.`,
  );
}

const markers: Readonly<Record<Dialect, readonly Buffer[]>> = {
  openai: [Buffer.from('"tool_calls"'), Buffer.from('"function_call"')],
  anthropic: [Buffer.from('"tool_use"')],
};

export function createToolFirewall(dependencies: JudgeDependencies): ToolFirewall {
  const { settings } = dependencies;
  const judge = createJudge(dependencies);

  function mayHoldCalls(body: Buffer, dialect: Dialect): boolean {
    return markers[dialect].some((marker) => body.includes(marker));
  }

  async function reviewJson(body: Buffer, scope: FirewallScope): Promise<ReviewedJson | undefined> {
    if (!mayHoldCalls(body, scope.dialect)) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      // Not JSON: no client reads a tool call out of it either.
      return undefined;
    }
    if (!isObject(parsed)) return undefined;
    const judgeCall = (call: ModelToolCall) => judge(call, scope);
    const verdicts =
      scope.dialect === 'openai'
        ? await reviewOpenaiCompletion(parsed, judgeCall)
        : await reviewAnthropicMessage(parsed, judgeCall);
    if (verdicts.length === 0) return undefined;
    return {
      body: Buffer.from(JSON.stringify(parsed)),
      headers: removalHeaders(verdicts),
      refusal: settings.onDeny === 'error' ? refusalOf(verdicts, scope.agent) : undefined,
      verdicts,
    };
  }

  function reviewStream(frames: AsyncIterable<Frame>, scope: FirewallScope): AsyncIterable<Frame> {
    const codec = codecs[scope.dialect];
    const judging: StreamJudging = {
      judge: (call) => judge(call, scope),
      refusalFrame: (verdict) => {
        if (settings.onDeny !== 'error' || !refuses(verdict)) return undefined;
        const refusal = refusalOf([verdict], scope.agent);
        return refusal === undefined ? undefined : codec.encodeStreamError(refusal);
      },
    };
    const rewriter =
      scope.dialect === 'openai'
        ? createOpenaiStreamRewriter(judging)
        : createAnthropicStreamRewriter(judging);
    return rewriteStream(frames, rewriter);
  }

  return { settings, mayHoldCalls, reviewJson, reviewStream };
}
