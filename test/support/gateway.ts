import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/index.js';
import { createTextMasker } from '../../src/guard/pii/index.js';
import { createLogger } from '../../src/telemetry/index.js';

export interface TestGateway {
  readonly url: string;
  readonly port: number;
  readonly masterKey: string;
  /** Every log line written so far, raw. */
  logs(): string;
  /** Parsed log lines. */
  logRecords(): Record<string, unknown>[];
  readonly gateway: Gateway;
  close(): Promise<void>;
}

/**
 * Starts the real gateway in this process on a free port, logging to memory; `extensions` are the
 * composition root's options beyond its configuration (stages a feature adds).
 */
export async function startTestGateway(
  input: ConfigInput = {},
  extensions: Pick<GatewayOptions, 'stages'> = {},
): Promise<TestGateway> {
  const masterKey = 'gh-test-master-key-0123456789abcdef';
  const config = configSchema.parse({
    data_dir: mkdtempSync(join(tmpdir(), 'gatehouse-test-')),
    ...input,
    server: { port: 0, metrics_port: 0, ...(input.server ?? {}) },
    log: { level: 'info', ...(input.log ?? {}) },
  });
  let written = '';
  const destination = {
    write(line: string) {
      written += line;
    },
  };
  // As `gatehouse start` makes it: every line masked.
  const logMasker = createTextMasker();
  const logger = createLogger({ level: config.log.level, format: 'json', mask: logMasker.mask }, destination);
  const gateway = await createGateway({ config, masterKey, logger, logMasker, ...extensions });
  const { url, port } = await gateway.listen();
  return {
    url,
    port,
    masterKey,
    gateway,
    logs: () => written,
    logRecords: () =>
      written
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    close: () => gateway.close(),
  };
}
