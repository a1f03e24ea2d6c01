import { describe, expect, it } from 'vitest';
import { injectionSettingsFrom } from '../guard/index.js';
import { formatProblems } from './config-error.js';
import { loadConfig, type LoadResult } from './load.js';

function load(yaml: string, env: Record<string, string> = {}): LoadResult {
  return loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
}

function configOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config;
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return formatProblems(result.errors);
}

describe('the guard section', () => {
  it('defaults to detection on, action log, threshold 0.8, failing open, the latest turn, agents denied', () => {
    const settings = injectionSettingsFrom(configOf(load('')).guard.injection);
    expect(settings).toMatchObject({
      enabled: true,
      action: 'log',
      threshold: 0.8,
      failMode: 'open',
      history: 'latest_turn',
      agentAuthorize: { action: 'block', threshold: 0.8 },
      maxScanChars: 1_000_000,
      alert: { enabled: false, minScore: 0.9, maxPerMinute: 10 },
    });
    expect(settings.models.size).toBe(0);
  });

  it('takes the PROMPT_INJECTION_* environment variables', () => {
    const { injection } = configOf(
      load('', {
        PROMPT_INJECTION_DETECTION_ENABLED: 'false',
        PROMPT_INJECTION_SEVERITY_THRESHOLD: '0.65',
        PROMPT_INJECTION_ALERT_ENABLED: 'true',
      }),
    ).guard;
    expect(injection.enabled).toBe(false);
    expect(injection.threshold).toBe(0.65);
    expect(injection.alert.enabled).toBe(true);
  });

  it('refuses a threshold outside 0–1, naming the variable', () => {
    expect(errorsOf(load('', { PROMPT_INJECTION_SEVERITY_THRESHOLD: '1.5' }))).toContain(
      'PROMPT_INJECTION_SEVERITY_THRESHOLD',
    );
  });

  it('refuses unknown actions and keys, and flag for agent authorization', () => {
    expect(errorsOf(load('guard: { injection: { action: quarantine } }'))).toContain(
      'guard.injection.action',
    );
    expect(errorsOf(load('guard: { injection: { routes: { embeddings: { action: block } } } }'))).toContain(
      'embeddings',
    );
    expect(
      errorsOf(load('guard: { injection: { routes: { agent_authorize: { action: flag } } } }')),
    ).toContain('guard.injection.routes.agent_authorize.action');
  });

  it('gives the route and model overrides, the agent route inheriting the threshold', () => {
    const settings = injectionSettingsFrom(
      configOf(
        load(
          [
            'guard:',
            '  injection:',
            '    threshold: 0.7',
            '    routes: { messages: { action: block } }',
            '    models: { support-bot: { action: flag, threshold: 0.9 } }',
          ].join('\n'),
        ),
      ).guard.injection,
    );
    expect(settings.routes.messages).toEqual({ action: 'block', threshold: undefined });
    expect(settings.routes.chat_completions).toEqual({ action: undefined, threshold: undefined });
    expect(settings.models.get('support-bot')).toEqual({ action: 'flag', threshold: 0.9 });
    expect(settings.agentAuthorize.threshold).toBe(0.7);
  });
});
