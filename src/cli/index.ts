import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './audit.js';
import { registerBenchCommand } from './bench.js';
import { registerCapacityCommand } from './capacity.js';
import { registerCheckCommand } from './check.js';
import { registerKeysCommand } from './keys.js';
import { openReviewQueue, openSqlStores } from './open-stores.js';
import { registerInitCommand } from './init.js';
import { registerMockProviderCommand } from './mock-provider.js';
import { registerPolicyCommand } from './policy.js';
import { registerReviewCommand } from './review.js';
import { registerStartCommand } from './start.js';
import { exitCodes, type CliEnvironment } from './environment.js';

export { exitCodes, type CliEnvironment } from './environment.js';

/**
 * Runs one command. Resolves with the exit code, or undefined for a long-running command (start,
 * mock-provider) that exits through its signal handlers.
 */
export async function runCli(environment: CliEnvironment): Promise<number | undefined> {
  const program = new Command('gatehouse')
    .description('A self-hosted production gateway for LLM applications and AI agents.')
    .exitOverride()
    .configureOutput({ writeOut: environment.stdout, writeErr: environment.stderr })
    .showHelpAfterError();
  let result: number | undefined = exitCodes.ok;
  const setResult = (code: number | undefined): void => {
    result = code;
  };
  registerStartCommand(program, environment, setResult);
  registerInitCommand(program, environment, setResult);
  registerCheckCommand(program, environment, setResult);
  registerMockProviderCommand(program, environment, setResult);
  registerCapacityCommand(program, environment, setResult);
  registerBenchCommand(program, environment, setResult);
  registerKeysCommand(program, environment, setResult, { openStores: openSqlStores });
  registerPolicyCommand(program, environment, setResult);
  registerReviewCommand(program, environment, setResult, { openQueue: openReviewQueue });
  registerAuditCommand(program, environment, setResult, { openStores: openSqlStores });
  try {
    await program.parseAsync([...environment.argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are successes; everything else commander rejects is bad usage.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    environment.stderr(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  }
  return result;
}
