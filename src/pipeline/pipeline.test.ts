import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../errors/index.js';
import type { StageResult } from './stage.js';
import { context, fakePipeline, recording, tagging } from './test-fakes.js';

describe('the pipeline', () => {
  it('runs the request stages in their order, then the answer stages in theirs', async () => {
    const fake = fakePipeline((events) => ({
      inputGuard: recording('input-guard', events),
      agentAuthorize: recording('agent-authorize', events),
      outputScan: tagging('|scan', events),
      toolFirewall: tagging('|firewall', events),
      conversationStorage: tagging('|store', events),
    }));
    const handled = await fake.pipeline.handle(context());
    expect(fake.events).toEqual([
      'authenticate',
      'limit',
      'input-guard',
      'agent-authorize',
      'route',
      '|scan',
      '|firewall',
      '|store',
    ]);
    expect(handled.result.type === 'json' && handled.result.body.toString()).toBe(
      '{"id":"x"}|scan|firewall|store',
    );
  });

  it('stops at a stage that rejects: no later stage runs, and the admitted request is accounted', async () => {
    const fake = fakePipeline((events) => ({
      inputGuard: recording('guard', events, {
        type: 'reject',
        error: new GatewayError('invalid_request', 'no'),
      }),
      toolFirewall: tagging('|firewall', events),
    }));
    const handled = await fake.pipeline.handle(context());
    expect(fake.events).toEqual(['authenticate', 'limit', 'guard']);
    expect(handled.result.type === 'error' && handled.result.error.code).toBe('invalid_request');
    handled.finished(400);
    await vi.waitFor(() => expect(fake.log).toHaveBeenCalledOnce());
    expect(fake.settle).toHaveBeenCalledOnce();
    expect(fake.records).toMatchObject([{ status: 400, errorCode: 'invalid_request', model: 'mock' }]);
  });

  it('refuses an invalid body before the limits, unaccounted', async () => {
    const fake = fakePipeline();
    const handled = await fake.pipeline.handle(context({ messages: [] }));
    expect(handled.result.type === 'error' && handled.result.error.param).toBe('messages');
    handled.finished(400);
    await vi.waitFor(() => expect(fake.log).toHaveBeenCalledOnce());
    expect(fake.events).toEqual(['authenticate']);
    expect(fake.records).toEqual([]);
  });

  it('ends at a stage that responds: routing is skipped, the answer stages still wrap the answer', async () => {
    const respond: StageResult = {
      type: 'respond',
      answer: {
        type: 'json',
        body: Buffer.from('{"id":"early"}'),
        meta: {
          provider: undefined,
          model: 'm',
          attempts: 0,
          cache: 'bypass',
          overheadMs: 0,
          rateLimitHeaders: {},
        },
        answered: undefined,
        usage: undefined,
        savedCostUsd: 0,
      },
    };
    const fake = fakePipeline((events) => ({
      agentAuthorize: recording('agent-authorize', events, respond),
      toolFirewall: tagging('|firewall', events),
    }));
    const handled = await fake.pipeline.handle(context());
    expect(fake.events).toEqual(['authenticate', 'limit', 'agent-authorize', '|firewall']);
    expect(handled.result.type === 'json' && handled.result.body.toString()).toBe('{"id":"early"}|firewall');
  });

  it('turns a throwing stage into an internal error that settles the lease and ends the request', async () => {
    const fake = fakePipeline(() => ({
      inputGuard: {
        name: 'guard',
        run: () => {
          throw new Error('a bug');
        },
      },
    }));
    const handled = await fake.pipeline.handle(context());
    expect(handled.result.type === 'error' && handled.result.error.code).toBe('internal_error');
    handled.finished(500);
    await fake.pipeline.drain();
    expect(fake.settle).toHaveBeenCalledOnce();
    expect(fake.log).toHaveBeenCalledOnce();
    expect(fake.records).toMatchObject([{ status: 500, errorCode: 'internal_error' }]);
  });
});
