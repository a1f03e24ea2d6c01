import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ConfigProblem, ValueSource } from './config-error.js';
import { checkCrossFieldRules } from './cross-field-rules.js';
import { deepFreeze } from './deep-freeze.js';
import { discoverProviders } from './environment-providers.js';
import { applyEnvironmentVariables, applyTextSettings } from './environment-variables.js';
import { readFileLayer } from './file-source.js';
import { Origins } from './origins.js';
import { ProblemCollector } from './problem-collector.js';
import { configSchema, type Config } from './schema.js';
import { reportSchemaIssues } from './schema-issues.js';

/**
 * Reads the configuration once, at start: built-in defaults, then the file, then environment
 * variables, then command-line flags, each overriding the one before (SPEC section 2). Every
 * problem is returned at once, each naming its field, where the value came from and what is
 * expected; nothing here throws for a bad configuration.
 */

export interface ConfigFlags {
  readonly config?: string;
  readonly port?: number;
  readonly host?: string;
}

export interface LoadConfigInput {
  readonly flags: ConfigFlags;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths (the file, `GATEHOUSE_CONFIG`) are resolved against this directory. */
  readonly cwd: string;
  /** Reads a whole text file; the default reads from disk. Throws like `fs.readFileSync`. */
  readonly readFile?: (path: string) => string;
}

export interface ConfigSources {
  /** The configuration file read (absolute path), or undefined when there is none. */
  readonly configFile: string | undefined;
  /** Names of the providers added from environment variables. */
  readonly environmentProviders: readonly string[];
  /** The source of every value written in the file, the environment or a flag; the rest are defaults. */
  readonly values: Readonly<Record<string, ValueSource>>;
}

export type LoadResult =
  | {
      readonly ok: true;
      readonly config: Config;
      readonly sources: ConfigSources;
      readonly warnings: readonly ConfigProblem[];
    }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigProblem[];
      readonly warnings: readonly ConfigProblem[];
    };

export const defaultConfigFileName = 'gatehouse.yaml';

const readFromDisk = (path: string): string => readFileSync(path, 'utf8');

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}

function displayName(cwd: string, path: string): string {
  const shown = relative(cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
}

type FileLookup =
  | { readonly kind: 'none' }
  | { readonly kind: 'found'; readonly path: string; readonly text: string }
  | { readonly kind: 'problem'; readonly problem: ConfigProblem };

/** `--config`, then `GATEHOUSE_CONFIG`, then `./gatehouse.yaml` if it exists. */
function findConfigFile(input: LoadConfigInput, readFile: (path: string) => string): FileLookup {
  const fromEnvironment = input.env.GATEHOUSE_CONFIG ?? '';
  const named: { path: string; source: ValueSource } | undefined =
    input.flags.config !== undefined
      ? { path: input.flags.config, source: { kind: 'flag', flag: '--config' } }
      : fromEnvironment !== ''
        ? { path: fromEnvironment, source: { kind: 'environment', variable: 'GATEHOUSE_CONFIG' } }
        : undefined;
  const path = resolve(input.cwd, named?.path ?? defaultConfigFileName);
  try {
    return { kind: 'found', path, text: readFile(path) };
  } catch (error) {
    const code = errorCode(error);
    if (named === undefined && code === 'ENOENT') return { kind: 'none' };
    const message =
      code === 'ENOENT'
        ? `configuration file ${path} does not exist`
        : `cannot read configuration file ${path} (${code})`;
    return { kind: 'problem', problem: { path: '', source: named?.source ?? { kind: 'default' }, message } };
  }
}

export function loadConfig(input: LoadConfigInput): LoadResult {
  const readFile = input.readFile ?? readFromDisk;
  const origins = new Origins();
  const problems = new ProblemCollector();
  const warnings: ConfigProblem[] = [];

  const file = findConfigFile(input, readFile);
  if (file.kind === 'problem') return { ok: false, errors: [file.problem], warnings };
  const raw =
    file.kind === 'none'
      ? {}
      : readFileLayer({
          text: file.text,
          displayName: displayName(input.cwd, file.path),
          references: { env: input.env, readFile, baseDirectory: dirname(file.path) },
          origins,
          problems,
          warnings,
        });
  // A file that is not YAML at all gives nothing to validate further.
  if (raw === undefined) return { ok: false, errors: problems.problems, warnings };

  const layers = { origins, problems };
  applyEnvironmentVariables(raw, input.env, layers);
  const environmentProviders = discoverProviders(raw, input.env, { ...layers, warnings });
  const { host, port } = input.flags;
  applyTextSettings(
    raw,
    [
      ...(host === undefined
        ? []
        : [{ path: 'server.host', text: host, source: { kind: 'flag', flag: '--host' } as const }]),
      ...(port === undefined
        ? []
        : [{ path: 'server.port', text: String(port), source: { kind: 'flag', flag: '--port' } as const }]),
    ],
    layers,
  );

  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) reportSchemaIssues(parsed.error.issues, raw, origins, problems);
  else if (problems.problems.length === 0) checkCrossFieldRules(parsed.data, layers);
  if (!parsed.success || problems.problems.length > 0)
    return { ok: false, errors: problems.problems, warnings };

  return {
    ok: true,
    config: deepFreeze(parsed.data),
    sources: deepFreeze({
      configFile: file.kind === 'found' ? file.path : undefined,
      environmentProviders,
      values: origins.toRecord(),
    }),
    warnings,
  };
}
