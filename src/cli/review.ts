import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import type { ReviewItem, ReviewQueue } from '../governance/review/index.js';
import { itemView } from '../http/agent/queue-bodies.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { loadConfigOrReport } from './load-config.js';

/** The review queue `gatehouse review` works on: the configured deployment's, opened for one command. */
export interface ReviewCommandDependencies {
  readonly openQueue: (
    config: Config,
    warn: (message: string) => void,
  ) => Promise<{ readonly queue: ReviewQueue; close(): Promise<void> }>;
}

interface CommonOptions {
  readonly config?: string;
  readonly json?: boolean;
}

interface ListOptions extends CommonOptions {
  readonly tenant?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly limit?: string;
}

interface ResolveOptions extends CommonOptions {
  readonly by?: string;
  readonly note?: string;
}

/** The resolver key id recorded for resolutions made here: no API key was presented. */
const cliResolver = 'cli';

/**
 * `gatehouse review list|show|approve|deny`: the human-review queue of a running deployment,
 * directly in its database (like `gatehouse keys`; no key needed beyond access to the database).
 * A resolution is announced on the deployment's wake channel, so waiters on every replica return.
 * Exits 0 on success, 2 on bad usage, an unknown review or one resolved already, 1 when the
 * database fails.
 */
export function registerReviewCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
  dependencies: ReviewCommandDependencies,
): void {
  const review = program
    .command('review')
    .description('list, show, approve and deny the human reviews agents wait on');
  const print = (text: string): void => environment.stdout(`${text}\n`);
  const fail = (text: string): number => {
    environment.stderr(`gatehouse review: ${text}\n`);
    return exitCodes.usage;
  };

  async function withQueue(options: CommonOptions, work: (queue: ReviewQueue) => Promise<number>) {
    const config = loadConfigOrReport(
      environment,
      options.config === undefined ? {} : { config: options.config },
    );
    if (config === undefined) return setResult(exitCodes.usage);
    let opened: Awaited<ReturnType<ReviewCommandDependencies['openQueue']>> | undefined;
    try {
      opened = await dependencies.openQueue(config, (message) =>
        environment.stderr(`gatehouse review: ${message}\n`),
      );
      setResult(await work(opened.queue));
    } catch (error) {
      environment.stderr(`gatehouse review: ${error instanceof Error ? error.message : String(error)}\n`);
      setResult(exitCodes.failure);
    } finally {
      await opened?.close();
    }
  }

  const common = (command: Command): Command =>
    command.option('--config <file>', 'configuration file').option('--json', 'print JSON');

  common(review.command('list').description('list pending reviews, oldest first'))
    .option('--tenant <tenant>', 'only this tenant_id')
    .option('--actor <agent>', 'only this agent')
    .option('--action <action>', 'only this action')
    .option('--limit <n>', 'at most this many (default 50, at most 500)')
    .action((options: ListOptions) =>
      withQueue(options, async (queue) => {
        const limit = options.limit === undefined ? 50 : Number(options.limit);
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500)
          return fail('--limit must be a whole number from 1 to 500');
        const items = await queue.listPending({
          tenantId: options.tenant,
          actor: options.actor,
          action: options.action,
          limit,
        });
        if (options.json === true)
          print(JSON.stringify({ items: items.map((item) => itemView(item)), count: items.length }, null, 2));
        else if (items.length === 0) print('no pending reviews');
        else for (const item of items) print(listLine(item));
        return exitCodes.ok;
      }),
    );

  common(review.command('show <id>').description('show one review, by review id or trace id')).action(
    (id: string, options: CommonOptions) =>
      withQueue(options, async (queue) => {
        const item = await queue.find(id);
        if (item === undefined) return fail(`no review ${JSON.stringify(id)}`);
        print(options.json === true ? JSON.stringify(itemView(item), null, 2) : details(item));
        return exitCodes.ok;
      }),
  );

  for (const [verb, status] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    common(review.command(`${verb} <id>`).description(`${verb} a pending review (by review id or trace id)`))
      .option('--by <name>', 'who resolves it (default: $USER)')
      .option('-m, --note <text>', 'why, for the agent and the audit trail')
      .action((id: string, options: ResolveOptions) =>
        withQueue(options, async (queue) => {
          const outcome = await queue.resolve(id, {
            status,
            resolvedBy: options.by ?? environment.env.USER ?? cliResolver,
            note: options.note,
            resolverKeyId: cliResolver,
          });
          switch (outcome.type) {
            case 'not_found':
              return fail(`no review ${JSON.stringify(id)}`);
            case 'already_resolved':
              return fail(
                `review ${outcome.item.id} was already ${outcome.item.status} by ${outcome.item.resolvedBy ?? 'someone'}`,
              );
            case 'resolved':
              print(
                options.json === true
                  ? JSON.stringify(itemView(outcome.item), null, 2)
                  : `${status} ${outcome.item.id}`,
              );
              return exitCodes.ok;
            default: {
              const unknown: never = outcome;
              throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
            }
          }
        }),
      );
  }
}

/** One pending review per line, tab-separated: id, enqueued, tenant, actor, action, confidence, reason. */
function listLine(item: ReviewItem): string {
  return [
    item.id,
    new Date(item.enqueuedAt).toISOString(),
    item.tenantId,
    item.actor,
    item.action,
    item.confidenceScore,
    item.reason,
  ].join('\t');
}

function details(item: ReviewItem): string {
  const rows: [string, string | number | undefined][] = [
    ['id', item.id],
    ['trace id', item.traceId],
    ['status', item.status],
    ['tenant', item.tenantId],
    ['actor', item.actor],
    ['action', item.action],
    ['resource', JSON.stringify(item.resource)],
    ['acting for', item.actingFor],
    ['confidence', item.confidenceScore],
    ['risk', item.riskScore],
    ['reason', item.reason],
    ['enqueued', new Date(item.enqueuedAt).toISOString()],
    ['expires', new Date(item.expiresAt).toISOString()],
    ['resolved', item.resolvedAt === undefined ? undefined : new Date(item.resolvedAt).toISOString()],
    ['resolved by', item.resolvedBy],
    ['note', item.resolutionNote],
    ['policy digest', item.policyDigest],
  ];
  return rows
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${`${name}:`.padEnd(15)}${String(value)}`)
    .join('\n');
}
