import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { environmentVariables } from './environment-variables.js';
import { loadConfig, type LoadResult } from './load.js';
import {
  commentOut,
  exampleModelsYaml,
  exampleProvidersYaml,
  starterConfigYaml,
} from './starter-template.js';
import { documentedPaths } from './schema-introspection.js';

function load(yaml: string, env: Record<string, string> = {}): LoadResult {
  return loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
}

function configOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config;
}

const exampleEnvironment = {
  OPENAI_API_KEY: 'sk-openai-test',
  ANTHROPIC_API_KEY: 'sk-ant-test',
  AZURE_API_KEY: 'azure-test',
  AZURE_API_BASE: 'https://eu.openai.azure.com',
};

function uncommentExamples(template: string): string {
  return template
    .replace(commentOut(exampleProvidersYaml), exampleProvidersYaml)
    .replace(commentOut(exampleModelsYaml), exampleModelsYaml);
}

describe('the starter gatehouse.yaml', () => {
  it('is valid as written and equals the defaults', () => {
    expect(configOf(load(starterConfigYaml))).toEqual(configOf(load('')));
  });

  it('contains the commented example', () => {
    expect(starterConfigYaml).toContain(commentOut(exampleProvidersYaml));
    expect(starterConfigYaml).toContain(commentOut(exampleModelsYaml));
  });

  it('is valid with the example uncommented', () => {
    const uncommented = uncommentExamples(starterConfigYaml);
    expect(uncommented).not.toBe(starterConfigYaml);
    const config = configOf(load(uncommented, exampleEnvironment));
    // `azure` is added from AZURE_API_KEY and AZURE_API_BASE: no provider of that name is configured.
    expect(Object.keys(config.providers)).toEqual(['openai', 'azure-eu', 'anthropic', 'local', 'azure']);
    expect(config.models['gpt-4o']?.targets).toHaveLength(2);
    expect(config.models['gpt-4o']?.fallbacks).toEqual(['claude-sonnet']);
    expect(config.providers['azure-eu']?.api_key).toBe('azure-test');
  });

  it('is valid with every commented setting uncommented', () => {
    // Uncomment every "# key: value" line whose key is a setting, keeping indentation.
    const everything = uncommentExamples(starterConfigYaml)
      .split('\n')
      .map((line) => line.replace(/^( *)# ( *[a-z_]+:(?: |$))/, '$1$2'))
      .join('\n');
    const config = configOf(
      load(everything, {
        ...exampleEnvironment,
        GATEHOUSE_MASTER_KEY: 'a-long-enough-master-key',
        DATABASE_URL: 'postgres://db/app',
        REDIS_URL: 'redis://r:6379',
        OTLP_TOKEN: 'otlp-token-value',
        LANGFUSE_PUBLIC_KEY: 'pk-lf-example',
        LANGFUSE_SECRET_KEY: 'sk-lf-example',
      }),
    );
    expect(config.server.tls).toEqual({
      cert_path: '/etc/gatehouse/tls.crt',
      key_path: '/etc/gatehouse/tls.key',
    });
    expect(config.master_key).toBe('a-long-enough-master-key');
    const withoutExamples = {
      ...config,
      providers: {},
      models: {},
      master_key: undefined,
      database_url: undefined,
      database_schema: undefined,
      redis_url: undefined,
      server: { ...config.server, tls: undefined },
      // Optional settings without a default are shown with an example value.
      limits: {
        ...config.limits,
        default_requests_per_minute: undefined,
        global_requests_per_minute: undefined,
        master: {},
      },
      tiers: {},
      pricing: {},
      governance: { ...config.governance, rate_limit: {} },
      notifications: { ...config.notifications, public_url: undefined },
      audit: { ...config.audit, spool_dir: undefined },
      cache: { ...config.cache, models: {} },
      tracing: {
        ...config.tracing,
        otlp_headers: undefined,
        resource_attributes: undefined,
        langfuse: { url: config.tracing.langfuse.url },
      },
    };
    const defaults = configOf(load(''));
    // Every value the template shows is the default.
    expect(JSON.parse(JSON.stringify(withoutExamples))).toEqual(JSON.parse(JSON.stringify(defaults)));
  });

  it('mentions every setting and every environment variable', () => {
    const leafNames = new Set(
      documentedPaths().map((path) =>
        path
          .split(/[.[\]]+/)
          .filter(Boolean)
          .at(-1),
      ),
    );
    for (const name of leafNames) {
      if (name === '<name>') continue;
      expect(starterConfigYaml, `${name}`).toMatch(new RegExp(`\\b${name}\\b`));
    }
    for (const variable of Object.keys(environmentVariables)) expect(starterConfigYaml).toContain(variable);
  });
});
