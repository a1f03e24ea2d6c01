import type { Command } from 'commander';
import { createGateway } from '../gateway.js';
import { createLogger } from '../telemetry/index.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { loadConfigOrReport } from './load-config.js';
import { resolveMasterKey } from './master-key.js';
import { parsePort } from './options.js';

interface StartOptions {
  readonly config?: string;
  readonly port?: number;
  readonly host?: string;
}

/** `gatehouse start`: run the gateway until SIGTERM/SIGINT, then drain and exit. */
export function registerStartCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  program
    .command('start', { isDefault: true })
    .description('run the gateway')
    .option(
      '--config <file>',
      'configuration file (default: $GATEHOUSE_CONFIG or ./gatehouse.yaml if present)',
    )
    .option('--port <port>', 'port to listen on (overrides PORT)', parsePort)
    .option('--host <host>', 'address to listen on (overrides HOST)')
    .action(async (options: StartOptions) => {
      const config = loadConfigOrReport(environment, options);
      if (config === undefined) {
        setResult(exitCodes.usage);
        return;
      }
      const logger = createLogger({ level: config.log.level, format: config.log.format });
      const master = resolveMasterKey(config.master_key, config.data_dir);
      if (master.source === 'generated') {
        // Printed once, to the terminal and never to the log; it is stored in the data directory.
        environment.stdout(
          `\nGenerated a master key (stored in ${master.path}, mode 0600):\n\n  ${master.key}\n\nKeep it secret; it will not be shown again.\n\n`,
        );
      }
      const gateway = await createGateway({ config, masterKey: master.key, logger });
      const { url } = await gateway.listen();
      logger.info({ url, master_key_source: master.source }, 'gatehouse started');
      logger.flush();
      setResult(undefined);
      environment.onReloadSignal(() => gateway.reloadTls());
      environment.onShutdownSignal(async () => {
        logger.info({ drain_timeout_ms: config.server.drain_timeout_ms }, 'gatehouse draining');
        await gateway.close();
        logger.info('gatehouse stopped');
        logger.flush();
      });
    });
}
