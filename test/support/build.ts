import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: compiles `src/` to `dist/` once before the suite, so tests that spawn the
 * real command line (`node dist/main.js`) run the code under test rather than a stale build.
 *
 * TypeScript still emits when it reports type errors (exit status 2); the suite then runs against
 * that output, with the errors printed, because `npm run typecheck` is where type errors fail.
 * Any other failure stops the suite.
 */
export default function buildOnce(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.status === 0) return;
  if (result.status === 2 && existsSync(join(root, 'dist', 'main.js'))) {
    process.stderr.write(
      `test/support/build.ts: tsc reported errors; testing the emitted dist/ anyway\n${output}\n`,
    );
    return;
  }
  throw new Error(
    `test/support/build.ts: tsc -p tsconfig.build.json failed (status ${String(result.status)}${
      result.error === undefined ? '' : `, ${result.error.message}`
    })\n${output}`,
  );
}
