import Anthropic from '@anthropic-ai/sdk';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { ConfigInput } from '../../src/config/schema.js';
import { startMockServer, type MockServer } from '../../src/providers/mock/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { createKey, eventually } from './shared-state.js';

/**
 * The tool firewall's end-to-end setup: the mock provider as its own server behind the real
 * gateway (one model per upstream dialect, so each client meets a pass-through and a translated
 * target), a policy that allows weather lookups, forbids deleting invoices in tool calls and sends
 * refunds to review, a key bound to an agent and one that is not.
 */

/** Served by the upstream mock in the OpenAI dialect, and in the Anthropic dialect. */
export const openaiUpstreamModel = 'gpt-via-openai';
export const anthropicUpstreamModel = 'claude-via-anthropic';

export const agent = 'invoice-bot';

export const firewallPolicy = [
  '@id("agents-act") permit(principal is Agent, action, resource);',
  '@id("no-invoice-deletes-by-tool-call") forbid(principal, action == Action::"delete_invoice", resource)',
  '  when { resource has source && resource.source == "tool_call" };',
  '@id("refunds-need-review") @decision("human_review")',
  '  permit(principal, action == Action::"approve_refund", resource);',
].join('\n');

interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

const toolSpecs: readonly ToolSpec[] = [
  {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
  {
    name: 'delete_invoice',
    description: 'Deletes an invoice',
    parameters: { type: 'object', properties: { invoice: { type: 'string' } }, required: ['invoice'] },
  },
  {
    name: 'approve_refund',
    description: 'Approves a refund',
    parameters: { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] },
  },
];

export const openaiTools: OpenAI.Chat.Completions.ChatCompletionTool[] = toolSpecs.map((tool) => ({
  type: 'function',
  function: { name: tool.name, description: tool.description, parameters: tool.parameters },
}));

export const anthropicTools: Anthropic.Tool[] = toolSpecs.map((tool) => ({
  name: tool.name,
  description: tool.description,
  input_schema: tool.parameters as Anthropic.Tool.InputSchema,
}));

/** What the user says; the mock calls every tool the message names, in order, after a sentence. */
export const prompts = {
  allowed: 'Use get_weather for Oslo.',
  oneOfTwoDenied: 'Use get_weather for Oslo, then delete_invoice for the old one.',
  deniedFirst: 'First delete_invoice for the old one, then get_weather for Oslo.',
  onlyDenied: 'Please delete_invoice for the old one.',
  review: 'Please approve_refund for the customer.',
} as const;

export interface FirewallFixture {
  readonly gateway: TestGateway;
  readonly mock: MockServer;
  /** The key bound to the agent, and a key bound to none. */
  readonly agentKey: string;
  readonly plainKey: string;
  openai(key: string): OpenAI;
  anthropic(key: string): Anthropic;
  close(): Promise<void>;
}

/**
 * `governance`: settings beyond the policy (delegation's `llm_routes`, ...); `state`: where the
 * gateway keeps its state (a Postgres schema and Redis shared with another gateway).
 */
export async function startFirewallFixture(
  firewall: NonNullable<ConfigInput['firewall']>,
  governance: Omit<NonNullable<ConfigInput['governance']>, 'policy'> = {},
  state: Pick<ConfigInput, 'database_url' | 'database_schema' | 'redis_url' | 'redis_key_prefix'> = {},
): Promise<FirewallFixture> {
  const mock = await startMockServer({ port: 0, host: '127.0.0.1' });
  let gateway: TestGateway;
  try {
    gateway = await startTestGateway({
      ...state,
      providers: {
        'upstream-openai': { type: 'openai-compatible', base_url: `${mock.url}/v1` },
        'upstream-anthropic': { type: 'anthropic', base_url: mock.url, api_key: 'sk-ant-test-upstream-key' },
      },
      models: {
        [openaiUpstreamModel]: { targets: [{ provider: 'upstream-openai', model: 'mock-gpt' }] },
        [anthropicUpstreamModel]: { targets: [{ provider: 'upstream-anthropic', model: 'mock-claude' }] },
      },
      // Answers are judged anew each time, cached or not: the cache would only hide upstream calls.
      cache: { enabled: false },
      governance: { ...governance, policy: { cedar: firewallPolicy } },
      firewall,
    });
  } catch (error) {
    await mock.close();
    throw error;
  }
  // Unique names: gateways sharing one database share its keys.
  const suffix = randomBytes(4).toString('hex');
  const agentKey = (
    await createKey(gateway.url, gateway.masterKey, { name: `invoice-bot-${suffix}`, agent_id: agent })
  ).secret;
  const plainKey = (await createKey(gateway.url, gateway.masterKey, { name: `plain-${suffix}` })).secret;
  return {
    gateway,
    mock,
    agentKey,
    plainKey,
    openai: (key) => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 }),
    anthropic: (key) => new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 }),
    close: async () => {
      await gateway.close();
      await mock.close();
    },
  };
}

async function call(
  fixture: FirewallFixture,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${fixture.gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${fixture.gateway.masterKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`${method} ${path} answered ${response.status}`);
  return parsed;
}

export interface QueuedReview {
  readonly id: string;
  readonly status: string;
  readonly action: string;
  readonly resource: Record<string, string>;
}

export async function review(fixture: FirewallFixture, id: string): Promise<QueuedReview> {
  return (await call(fixture, 'GET', `/v1/queue/${id}`)) as unknown as QueuedReview;
}

/** The pending review of a tool call, once the firewall has queued it. */
export async function pendingReviewOf(fixture: FirewallFixture, toolCallId: string): Promise<QueuedReview> {
  const find = async () => {
    const pending = (await call(fixture, 'GET', `/v1/queue/pending?actor=${agent}`)) as {
      items: QueuedReview[];
    };
    return pending.items.find((item) => item.resource.tool_call_id === toolCallId);
  };
  const found = await eventually(find, (item) => item !== undefined, 20_000, `the review of ${toolCallId}`);
  if (found === undefined) throw new Error('unreachable');
  return found;
}

/** The first pending review of the agent's refunds queued after `known` (ids already seen). */
export async function nextRefundReview(
  fixture: FirewallFixture,
  known: ReadonlySet<string>,
): Promise<QueuedReview> {
  const find = async () => {
    const pending = (await call(
      fixture,
      'GET',
      `/v1/queue/pending?actor=${agent}&action=approve_refund`,
    )) as {
      items: QueuedReview[];
    };
    return pending.items.find((item) => !known.has(item.id));
  };
  const found = await eventually(find, (item) => item !== undefined, 20_000, 'a new refund review');
  if (found === undefined) throw new Error('unreachable');
  return found;
}

export async function resolveReview(
  fixture: FirewallFixture,
  id: string,
  verb: 'approve' | 'deny',
  note?: string,
): Promise<void> {
  await call(fixture, 'POST', `/v1/queue/${id}/${verb}`, {
    resolved_by: 'ada',
    ...(note === undefined ? {} : { note }),
  });
}

export async function pendingRefundIds(fixture: FirewallFixture): Promise<Set<string>> {
  const pending = (await call(fixture, 'GET', `/v1/queue/pending?actor=${agent}&action=approve_refund`)) as {
    items: QueuedReview[];
  };
  return new Set(pending.items.map((item) => item.id));
}

export interface AuditRecord {
  readonly type: string;
  readonly trace_id: string | null;
  readonly actor: string | null;
  readonly action: string | null;
  readonly decision: string | null;
  readonly reason: string | null;
  readonly resource: Record<string, string> | null;
  readonly details: Record<string, unknown>;
}

/** Audit records of one type for the agent, once `done` holds (the audit writer batches). */
export async function auditRecords(
  fixture: FirewallFixture,
  type: string,
  done: (records: AuditRecord[]) => boolean,
): Promise<AuditRecord[]> {
  const read = async () =>
    (
      (await call(fixture, 'GET', `/admin/audit?type=${type}&actor=${agent}&limit=1000`)) as {
        data: AuditRecord[];
      }
    ).data;
  return eventually(read, done, 20_000, `${type} audit records`);
}
