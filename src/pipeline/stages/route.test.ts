import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import type { RouteCall, RouteOutcome } from '../../routing/index.js';
import { chatBody, tracing, validatedCall } from '../test-fakes.js';
import { createRouteStage } from './route.js';

describe('the route stage', () => {
  function stageRouting(outcome: RouteOutcome) {
    const route = vi.fn((_call: RouteCall) => Promise.resolve(outcome));
    const tokens = { estimatePromptTokens: () => Promise.resolve(1) } as never;
    return { route, stage: createRouteStage({ router: { route }, tokens, tracing }) };
  }

  it('asks routing with the summary’s facts and responds with its answer', async () => {
    const answered = { provider: 'p', model: 't', attempts: 2 };
    const { route, stage } = stageRouting({
      type: 'json',
      answered,
      body: Buffer.from('{}'),
      usage: undefined,
    });
    const call = validatedCall({ ...chatBody, stream: true, stream_options: { include_usage: true } });
    const result = await stage.run(call);
    expect(route.mock.calls[0]?.[0]).toMatchObject({ model: 'gpt-4o', stream: true, includeUsage: true });
    expect(result).toMatchObject({
      type: 'respond',
      answer: { answered, meta: { provider: 'p', attempts: 2 } },
    });
  });

  it('refuses with routing’s error, reporting its attempts', async () => {
    const error = new GatewayError('upstream_error', 'down');
    const { stage } = stageRouting({ type: 'error', error, attempts: 3 });
    const result = await stage.run(validatedCall());
    expect(result).toMatchObject({ type: 'reject', error, meta: { attempts: 3 } });
  });
});
