import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { routingSettingsFrom } from './routing-settings.js';

describe('routing settings from the configuration', () => {
  it('carries every routing field of a configured model and of the defaults, by its own name', () => {
    const config = configSchema.parse({
      providers: { up: { type: 'openai-compatible', base_url: 'http://127.0.0.1:1' } },
      models: {
        chat: {
          strategy: 'least-busy',
          targets: [{ provider: 'up', model: 'up-chat', weight: 2 }],
          fallbacks: ['spare'],
          context_fallbacks: ['large'],
          context_window: 8_192,
          retry: { attempts: 4, on: [503], backoff_ms: 10, max_backoff_ms: 20, max_retry_after_ms: 30 },
          timeouts: { first_token_ms: 1, stall_ms: 2, attempt_ms: 3, total_ms: 4 },
        },
      },
      defaults: { retry: { attempts: 2 }, timeouts: { total_ms: 5_000 } },
    });
    const settings = routingSettingsFrom(config);
    expect(settings.models.get('chat')).toEqual({
      strategy: 'least-busy',
      targets: [{ provider: 'up', model: 'up-chat', weight: 2 }],
      fallbacks: ['spare'],
      contextFallbacks: ['large'],
      contextWindow: 8_192,
      retry: { attempts: 4, retryOn: [503], backoffMs: 10, maxBackoffMs: 20, maxRetryAfterMs: 30 },
      timeouts: { firstTokenMs: 1, stallMs: 2, attemptMs: 3, totalMs: 4 },
    });
    expect(settings.defaults.retry.attempts).toBe(2);
    expect(settings.defaults.timeouts.totalMs).toBe(5_000);
  });
});
