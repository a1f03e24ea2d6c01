import { parseResourceAttributes } from './resource-attributes.js';
import type { TracingSettings } from './tracing.js';
import { parseOtlpHeaders, type SamplerName, type TracingMode } from './tracing-exporter.js';

/**
 * The `tracing` section of the configuration, declared structurally so this module does not
 * import `config/`; the loaded configuration satisfies it as it is.
 */
export interface TracingConfiguration {
  readonly tracing: {
    readonly mode: TracingMode;
    readonly otlp_endpoint: string;
    readonly otlp_headers?: string | undefined;
    readonly service_name: string;
    readonly otlp_timeout_ms: number;
    readonly resource_attributes?: string | undefined;
    readonly batch: {
      readonly schedule_delay_ms: number;
      readonly max_export_batch_size: number;
      readonly max_queue_size: number;
      readonly export_timeout_ms: number;
    };
    readonly sampler: SamplerName;
    readonly sampler_ratio: number;
    readonly capture_prompts: boolean;
    readonly langfuse: {
      readonly public_key?: string | undefined;
      readonly secret_key?: string | undefined;
      readonly url: string;
    };
  };
}

/** Tracing's settings from the configuration. */
export function tracingSettingsFrom(config: TracingConfiguration): TracingSettings {
  const { tracing } = config;
  const { langfuse, batch } = tracing;
  return {
    mode: tracing.mode,
    endpoint: tracing.otlp_endpoint,
    headers: tracing.otlp_headers === undefined ? undefined : parseOtlpHeaders(tracing.otlp_headers),
    serviceName: tracing.service_name,
    sampler: tracing.sampler,
    ratio: tracing.sampler_ratio,
    capturePrompts: tracing.capture_prompts,
    resourceAttributes:
      tracing.resource_attributes === undefined
        ? undefined
        : parseResourceAttributes(tracing.resource_attributes),
    exportTimeoutMs: tracing.otlp_timeout_ms,
    batch: {
      scheduleDelayMs: batch.schedule_delay_ms,
      maxExportBatchSize: batch.max_export_batch_size,
      maxQueueSize: batch.max_queue_size,
      exportTimeoutMs: batch.export_timeout_ms,
    },
    langfuse:
      langfuse.public_key === undefined || langfuse.secret_key === undefined
        ? undefined
        : { publicKey: langfuse.public_key, secretKey: langfuse.secret_key, url: langfuse.url },
  };
}
