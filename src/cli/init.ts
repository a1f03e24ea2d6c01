import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { starterConfigYaml } from '../config/index.js';
import { exitCodes, type CliEnvironment } from './environment.js';

/** `gatehouse init [FILE]`: write the commented starter configuration, never over an existing file. */
export function registerInitCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  program
    .command('init')
    .description('write a commented starter gatehouse.yaml')
    .argument('[file]', 'where to write it', 'gatehouse.yaml')
    .option('--force', 'overwrite an existing file')
    .action(async (file: string, options: { force?: boolean }) => {
      const path = resolve(environment.cwd, file);
      if (existsSync(path) && options.force !== true) {
        environment.stderr(`gatehouse: ${path} already exists (use --force to overwrite)\n`);
        setResult(exitCodes.usage);
        return;
      }
      await writeFile(path, starterConfigYaml, 'utf8');
      environment.stdout(`wrote ${path}\nvalidate it with: gatehouse check --config ${file}\n`);
      setResult(exitCodes.ok);
    });
}
