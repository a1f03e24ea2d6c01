import { formatProblems, loadConfig, type Config } from '../config/index.js';
import type { CliEnvironment } from './environment.js';

/** Loads the configuration, printing every problem (already masked) when it is invalid. */
export function loadConfigOrReport(
  environment: CliEnvironment,
  flags: { readonly config?: string; readonly port?: number; readonly host?: string },
): Config | undefined {
  const result = loadConfig({ flags, env: environment.env, cwd: environment.cwd });
  if (result.warnings.length > 0)
    environment.stderr(`gatehouse: configuration warnings\n${formatProblems(result.warnings)}\n`);
  if (result.ok) return result.config;
  environment.stderr(`gatehouse: invalid configuration\n${formatProblems(result.errors)}\n`);
  return undefined;
}
