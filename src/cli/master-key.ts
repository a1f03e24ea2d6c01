import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type MasterKeySource = 'configuration' | 'file' | 'generated';

/**
 * The master key: configured (`GATEHOUSE_MASTER_KEY` / `master_key`), else the one stored in the
 * data directory, else a new one written there with mode 0600. Runs once at start, so its
 * synchronous file access never touches the request path.
 */
export function resolveMasterKey(
  configured: string | undefined,
  dataDir: string,
): { key: string; source: MasterKeySource; path: string } {
  const path = join(dataDir, 'master.key');
  if (configured !== undefined) return { key: configured, source: 'configuration', path };
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= 16) return { key: stored, source: 'file', path };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = `gh-master-${randomBytes(32).toString('base64url')}`;
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, source: 'generated', path };
}
