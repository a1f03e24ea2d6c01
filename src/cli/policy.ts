import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { exitCodes, type CliEnvironment } from './environment.js';

interface ConnectionOptions {
  readonly url?: string;
  readonly key?: string;
}

/**
 * `gatehouse policy get|put|validate|history|rollback`: the Cedar policy of a running gateway,
 * through its HTTP API (so every replica hears of a change at once). The address is `--url`, else
 * GATEHOUSE_URL, else http://127.0.0.1:8080; the key `--key`, else GATEHOUSE_ADMIN_KEY, else
 * GATEHOUSE_MASTER_KEY. Exits 0 on success, 2 on bad usage or a refused request (invalid policy,
 * stale digest, not an admin), 1 when the gateway cannot be reached or fails.
 */
export function registerPolicyCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  const policy = program
    .command('policy')
    .description('read, change, validate and roll back the Cedar policy');
  const connection = (command: Command): Command =>
    command
      .option('--url <url>', 'the gateway (GATEHOUSE_URL; default http://127.0.0.1:8080)')
      .option('--key <key>', 'an admin key (GATEHOUSE_ADMIN_KEY or GATEHOUSE_MASTER_KEY)');
  const run = async (options: ConnectionOptions, work: (call: Caller) => Promise<number>): Promise<void> => {
    setResult(await work(caller(environment, options)));
  };

  connection(
    policy.command('get').description('print the policy in force (its digest and version on stderr)'),
  ).action((options: ConnectionOptions) =>
    run(options, async (call) => {
      const answer = await call('GET', '/v1/policy');
      if (answer.ok) {
        environment.stderr(`version ${String(answer.body.version)}, digest ${String(answer.body.digest)}\n`);
        environment.stdout(String(answer.body.policy).replace(/\n?$/, '\n'));
      }
      return answer.code;
    }),
  );

  connection(policy.command('put <file>').description('store <file> (- for stdin) as the new policy'))
    .option('--if-match <digest>', 'refuse if the policy in force is no longer this digest')
    .option('-m, --comment <text>', 'why, for the history')
    .action((file: string, options: ConnectionOptions & { ifMatch?: string; comment?: string }) =>
      run(options, async (call) => {
        const text = readPolicy(environment, file);
        const query = options.comment === undefined ? '' : `?comment=${encodeURIComponent(options.comment)}`;
        const answer = await call('PUT', `/v1/policy${query}`, { text, ifMatch: options.ifMatch });
        return report(
          environment,
          answer,
          (body) => `stored version ${String(body.version)}, digest ${String(body.digest)}`,
        );
      }),
    );

  connection(
    policy.command('validate <file>').description('check <file> (- for stdin) without storing it'),
  ).action((file: string, options: ConnectionOptions) =>
    run(options, async (call) => {
      const answer = await call('POST', '/v1/policy/validate', { text: readPolicy(environment, file) });
      return report(
        environment,
        answer,
        (body) =>
          `valid; digest ${String(body.digest)}; policies ${(body.policy_ids as string[]).join(', ')}`,
      );
    }),
  );

  connection(policy.command('history').description('list the stored versions, newest first')).action(
    (options: ConnectionOptions) =>
      run(options, async (call) => {
        const answer = await call('GET', '/v1/policy/versions');
        return report(environment, answer, (body) => (body.data as HistoryRow[]).map(historyLine).join('\n'));
      }),
  );

  connection(policy.command('rollback <version>').description('store an old version’s text as a new version'))
    .option('-m, --comment <text>', 'why, for the history')
    .action((version: string, options: ConnectionOptions & { comment?: string }) =>
      run(options, async (call) => {
        const number = Number(version);
        if (!Number.isSafeInteger(number) || number < 1) {
          environment.stderr('gatehouse policy rollback: <version> must be a positive integer\n');
          return exitCodes.usage;
        }
        const json = JSON.stringify({
          version: number,
          ...(options.comment === undefined ? {} : { comment: options.comment }),
        });
        const answer = await call('POST', '/v1/policy/rollback', { json });
        return report(
          environment,
          answer,
          (body) => `restored version ${version} as version ${String(body.version)}`,
        );
      }),
    );
}

interface HistoryRow {
  readonly version: number;
  readonly created_at: string;
  readonly digest: string;
  readonly author_key_id: string | null;
  readonly comment: string | null;
}

/** One version per line, tab-separated: version, time, digest (short), author, comment. */
function historyLine(row: HistoryRow): string {
  return [
    row.version,
    row.created_at,
    row.digest.slice(0, 12),
    row.author_key_id ?? '',
    row.comment ?? '',
  ].join('\t');
}

interface Answer {
  readonly ok: boolean;
  readonly code: number;
  readonly body: Record<string, unknown>;
}

type Caller = (
  method: string,
  path: string,
  send?: { text?: string; json?: string; ifMatch?: string | undefined },
) => Promise<Answer>;

function caller(environment: CliEnvironment, options: ConnectionOptions): Caller {
  return async (method, path, send = {}) => {
    const url = options.url ?? environment.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080';
    const key = options.key ?? environment.env.GATEHOUSE_ADMIN_KEY ?? environment.env.GATEHOUSE_MASTER_KEY;
    if (key === undefined) {
      environment.stderr(
        'gatehouse policy: no key; pass --key or set GATEHOUSE_ADMIN_KEY or GATEHOUSE_MASTER_KEY\n',
      );
      return { ok: false, code: exitCodes.usage, body: {} };
    }
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    if (send.text !== undefined) headers['content-type'] = 'text/plain; charset=utf-8';
    if (send.json !== undefined) headers['content-type'] = 'application/json';
    if (send.ifMatch !== undefined) headers['if-match'] = send.ifMatch;
    try {
      const response = await fetch(new URL(path, url), {
        method,
        headers,
        body: send.text ?? send.json ?? null,
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.ok) return { ok: true, code: exitCodes.ok, body };
      const error = body.error as { message?: string; code?: string } | undefined;
      environment.stderr(
        `gatehouse policy: ${response.status} ${error?.code ?? ''}: ${error?.message ?? ''}\n`,
      );
      return { ok: false, code: response.status >= 500 ? exitCodes.failure : exitCodes.usage, body };
    } catch (error) {
      environment.stderr(
        `gatehouse policy: cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return { ok: false, code: exitCodes.failure, body: {} };
    }
  };
}

function report(
  environment: CliEnvironment,
  answer: Answer,
  describe: (body: Record<string, unknown>) => string,
): number {
  if (answer.ok) environment.stdout(`${describe(answer.body)}\n`);
  return answer.code;
}

function readPolicy(environment: CliEnvironment, file: string): string {
  return file === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(environment.cwd, file), 'utf8');
}
