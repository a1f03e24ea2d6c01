import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../telemetry/index.js';
import { createGateway } from './index.js';

describe('createGateway', () => {
  afterEach(() => vi.restoreAllMocks());

  it('closes what it opened when a late assembler fails (a TLS certificate that is missing)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-gateway-'));
    const config = configSchema.parse({
      data_dir: dataDir,
      server: {
        port: 0,
        metrics_port: 0,
        tls: { cert_path: join(dataDir, 'missing.crt'), key_path: join(dataDir, 'missing.key') },
      },
    });
    const lines: string[] = [];
    const logger = createLogger(
      { level: 'info', format: 'json' },
      { write: (line: string) => lines.push(line) },
    );
    const started = new Set<unknown>();
    const setInterval = globalThis.setInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation((...args: Parameters<typeof setInterval>) => {
      const handle = setInterval(...args);
      started.add(handle);
      return handle;
    });
    const clearInterval = globalThis.clearInterval;
    vi.spyOn(globalThis, 'clearInterval').mockImplementation((handle) => {
      started.delete(handle);
      clearInterval(handle);
    });

    await expect(
      createGateway({ config, masterKey: 'gh-test-master-key-0123456789abcdef', logger }),
    ).rejects.toThrow(/ENOENT/);

    // The key cache's refresh started before the HTTP assembler failed; closing the keys stopped it.
    expect(started.size).toBe(0);
    expect(lines.join('')).not.toContain('closing after a failed start failed');
  });
});
