import type { Command } from 'commander';
import { startMockServer } from '../providers/mock/index.js';
import type { CliEnvironment } from './environment.js';
import { parsePort } from './options.js';

/** `gatehouse mock-provider`: the mock provider as its own OpenAI/Anthropic-compatible server. */
export function registerMockProviderCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  program
    .command('mock-provider')
    .description(
      'run the mock provider as an OpenAI- and Anthropic-compatible server (demos, tests, load tests)',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 8081)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const server = await startMockServer({ port: options.port, host: options.host });
      environment.stdout(`mock provider listening on ${server.url}\n`);
      setResult(undefined);
      environment.onShutdownSignal(() => server.close());
    });
}
