import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentProviders } from './environment-providers.js';
import { environmentVariables } from './environment-variables.js';
import { documentedPaths } from './schema-introspection.js';

// The reference must keep up with the schema: a setting added without its row fails here.
const documentation = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

describe('docs/configuration.md', () => {
  it('documents every setting of the schema by its full path', () => {
    expect(documentedPaths()).toContain('models.<name>.targets[].weight');
    const missing = documentedPaths().filter((path) => !documentation.includes(`\`${path}\``));
    expect(missing).toEqual([]);
  });

  it('documents every environment variable', () => {
    const variables = [
      'GATEHOUSE_CONFIG',
      ...Object.keys(environmentVariables),
      ...environmentProviders.flatMap((provider) => [
        ...Object.values(provider.required),
        ...Object.values(provider.optional),
      ]),
    ];
    const missing = variables.filter((variable) => !documentation.includes(`\`${variable}\``));
    expect(missing).toEqual([]);
  });

  it('documents each environment variable next to its setting', () => {
    for (const [variable, path] of Object.entries(environmentVariables)) {
      expect(documentation).toMatch(
        new RegExp(`\\|\\s*\`${variable}\`\\s*\\|\\s*\`${path.replaceAll('.', '\\.')}\``),
      );
    }
  });
});
