import type { DurableWriterStats } from '../durable/index.js';
import type { UsageWriter } from '../accounting/index.js';
import type { Config } from '../config/index.js';
import type { Limiter } from '../limits/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import type { ModelResolver } from '../routing/index.js';
import {
  createMetrics,
  createTracing,
  tracingSettingsFrom,
  type DescribeProvider,
  type Metrics,
  type ProviderDescription,
  type TextMask,
  type Tracing,
} from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

/**
 * Tracing; assembled first so that it closes last, once every span has ended. `maskText` masks
 * personal data and credentials in every string a span records.
 */
export function assembleTracing(config: Config, maskText: TextMask): Contribution<Tracing> {
  const tracing = createTracing({ ...tracingSettingsFrom(config), maskText });
  return { parts: tracing, close: () => tracing.shutdown() };
}

export interface MetricsNeeds {
  readonly config: Config;
  readonly resolver: ModelResolver;
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  readonly usageWriter: UsageWriter;
  /** Undefined when the audit log is disabled. */
  readonly auditWriter: { stats(): DurableWriterStats } | undefined;
  readonly limiter: Limiter;
}

export interface MetricsParts {
  readonly metrics: Metrics;
  /**
   * Key ids that authenticated are issued keys: metrics keep them as labels however many there are
   * (the label guard folds only values it does not know). The key assembler adds to it.
   */
  readonly authenticatedKeyIds: Set<string>;
  /** The agent ids of keys and grants that authenticated: kept as `agent` labels (the key assembler adds to it). */
  readonly authenticatedAgentIds: Set<string>;
}

export function assembleMetrics(needs: MetricsNeeds): Contribution<MetricsParts> {
  const { config, usageWriter, auditWriter, limiter } = needs;
  const authenticatedKeyIds = new Set<string>();
  const authenticatedAgentIds = new Set<string>();
  const metrics = createMetrics({
    knownModels: [...needs.resolver.configuredNames(), ...configuredTargetModels(config), 'mock'],
    knownKeys: () => authenticatedKeyIds,
    knownAgents: () => authenticatedAgentIds,
    knownProviders: needs.providers.keys(),
    knownTargets: configuredTargets(config),
    maxLabelValues: config.metrics.max_label_values,
    sources: {
      usage: () => usageWriter.stats(),
      ...(auditWriter === undefined ? {} : { audit: () => auditWriter.stats() }),
      limiterHealth: () => limiter.health(),
    },
  });
  return { parts: { metrics, authenticatedKeyIds, authenticatedAgentIds } };
}

function configuredTargets(config: Config): string[] {
  return Object.values(config.models).flatMap((model) =>
    model.targets.map((target) => `${target.provider}/${target.model}`),
  );
}

function configuredTargetModels(config: Config): string[] {
  return Object.values(config.models).flatMap((model) => model.targets.map((target) => target.model));
}

/** Each provider's type and address, for the `gen_ai.provider.name` and `server.*` of attempt spans. */
export function describeProviders(providers: ReadonlyMap<string, ProviderAdapter>): DescribeProvider {
  const descriptions = new Map<string, ProviderDescription>();
  for (const [name, provider] of providers) {
    descriptions.set(name, { type: provider.type, ...serverOf(provider.baseUrl) });
  }
  return (name) => descriptions.get(name);
}

/** Host and port only: a URL's path, query or user information never reaches a span. */
function serverOf(url: string | undefined): { address?: string; port?: number } {
  if (url === undefined) return {};
  try {
    const parsed = new URL(url);
    const address = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    return { address, port };
  } catch {
    return {};
  }
}
