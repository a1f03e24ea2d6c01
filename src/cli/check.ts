import type { Command } from 'commander';
import { maskedConfig } from '../config/index.js';
import { createProviders } from '../providers/registry.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { loadConfigOrReport } from './load-config.js';
import { checkPostgres, checkRedis } from './reachability.js';

/**
 * `gatehouse check`: validate the configuration, then reach every provider (listing its models,
 * never a billable call), Redis and the database. Exits 2 on invalid configuration, 1 when
 * something cannot be reached.
 */
export function registerCheckCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  program
    .command('check')
    .description('validate the configuration and reach every provider, Redis and the database')
    .option('--config <file>', 'configuration file')
    .option('--timeout <ms>', 'how long to wait for each check', (value) => Number(value), 10_000)
    .action(async (options: { config?: string; timeout: number }) => {
      const config = loadConfigOrReport(
        environment,
        options.config === undefined ? {} : { config: options.config },
      );
      if (config === undefined) {
        setResult(exitCodes.usage);
        return;
      }
      environment.stdout('configuration: ok\n');
      let failures = 0;
      const report = (name: string, problem: string | undefined): void => {
        if (problem !== undefined) failures += 1;
        environment.stdout(`${name}: ${problem === undefined ? 'ok' : `FAILED: ${problem}`}\n`);
      };
      const providers = createProviders(config, { connectTimeoutMs: options.timeout });
      for (const [name, provider] of providers) {
        try {
          const models = await provider.listModels(AbortSignal.timeout(options.timeout));
          report(`provider ${name} (${provider.type})`, undefined);
          environment.stdout(`  ${models.length} models available\n`);
        } catch (error) {
          report(
            `provider ${name} (${provider.type})`,
            error instanceof Error ? error.message : String(error),
          );
        }
        await provider.close();
      }
      const masked = maskedConfig(config);
      if (config.redis_url !== undefined) {
        report(`redis ${masked.redis_url ?? ''}`, await checkRedis(config.redis_url, options.timeout));
      }
      if (config.database_url !== undefined) {
        report(
          `database ${masked.database_url ?? ''}`,
          await checkPostgres(config.database_url, options.timeout),
        );
      } else {
        report(`database (embedded, in ${config.data_dir})`, undefined);
      }
      setResult(failures === 0 ? exitCodes.ok : exitCodes.failure);
    });
}
