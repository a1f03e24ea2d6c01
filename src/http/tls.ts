import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Server as HttpsServer } from 'node:https';

export interface TlsPaths {
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export async function readTlsMaterial(paths: TlsPaths): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(paths.certPath), readFile(paths.keyPath)]);
  return { cert, key };
}

export interface TlsReloader {
  /** Re-reads the certificate and key and serves them to new connections. */
  reload(): Promise<void>;
  close(): void;
}

/**
 * Keeps an HTTPS server's certificate current without a restart: on `reload()` (SIGHUP) and when
 * either file changes. Directories are watched rather than files, because rotation tools (and
 * Kubernetes secret volumes) replace files by renaming, which a file watch does not follow. A
 * half-written pair fails to load and the previous certificate stays in use.
 */
export function watchTls(
  server: HttpsServer,
  paths: TlsPaths,
  onResult: (error: Error | undefined) => void,
): TlsReloader {
  let timer: NodeJS.Timeout | undefined;
  const reload = async (): Promise<void> => {
    try {
      const material = await readTlsMaterial(paths);
      server.setSecureContext({ cert: material.cert, key: material.key });
      onResult(undefined);
    } catch (error) {
      onResult(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const names = new Set([basename(paths.certPath), basename(paths.keyPath)]);
  const directories = new Set([dirname(paths.certPath), dirname(paths.keyPath)]);
  const watchers: FSWatcher[] = [...directories].map((directory) =>
    watch(directory, (_event, file) => {
      // Kubernetes swaps a `..data` symlink; anything else must be one of our two files.
      if (file !== null && !names.has(file) && file !== '..data') return;
      clearTimeout(timer);
      // Both files usually change within moments of each other; load them once, together.
      timer = setTimeout(() => void reload(), 200);
    }),
  );
  return {
    reload,
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
