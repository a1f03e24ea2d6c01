import type { Command } from 'commander';
import { createGateway } from '../gateway/index.js';
import { createTextMasker } from '../guard/pii/index.js';
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
      // Every line is masked: personal data and credentials never reach the log (docs/pii.md).
      const logMasker = createTextMasker();
      const logger = createLogger({
        level: config.log.level,
        format: config.log.format,
        mask: logMasker.mask,
      });
      const master = resolveMasterKey(config.master_key, config.data_dir);
      if (master.source === 'generated') {
        // Printed once, to the terminal and never to the log; it is stored in the data directory.
        environment.stdout(
          `\nGenerated a master key (stored in ${master.path}, mode 0600):\n\n  ${master.key}\n\nKeep it secret; it will not be shown again.\n\n`,
        );
      }
      const gateway = await createGateway({ config, masterKey: master.key, logger, logMasker });
      let url: string;
      try {
        ({ url } = await gateway.listen());
      } catch (error) {
        // Nothing is served, so nothing may keep the process alive: close what was opened (the
        // database, Redis, timers, a metrics server that did start) and exit non-zero.
        const reason = error instanceof Error ? error.message : String(error);
        // Node's message names the address (`listen EADDRINUSE: address already in use 0.0.0.0:8080`).
        environment.stderr(`gatehouse: cannot start, nothing is listening: ${reason}\n`);
        logger.error({ err: error }, 'gatehouse failed to start');
        await gateway.close().catch((closeError: unknown) => {
          logger.error({ err: closeError }, 'closing after a failed start failed');
        });
        logger.flush();
        setResult(exitCodes.failure);
        return;
      }
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
