import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import type { Metrics } from '../../telemetry/index.js';
import { noopSpan } from '../../telemetry/index.js';
import type { FinishedRequest } from '../finished-request.js';
import { noMeta } from '../stage.js';
import { context, principal } from '../test-fakes.js';
import { createLogStage } from './log.js';

const finished: FinishedRequest = {
  context: context(),
  span: noopSpan,
  principal,
  model: 'mock',
  stream: false,
  meta: noMeta,
  status: 400,
  usage: undefined,
  error: new GatewayError('invalid_request', 'bad'),
  streamComplete: undefined,
  savedCostUsd: 0,
  outputText: undefined,
  lease: undefined,
  accounted: false,
  latencyMs: 1,
};

function logStage() {
  const requestRecord = vi.fn();
  const log = vi.fn();
  const report = createLogStage({
    metrics: { requestRecord } as unknown as Metrics,
    requestLog: { log },
    providerType: () => undefined,
  });
  return { report, requestRecord, log };
}

describe('the log stage', () => {
  it('reports a known caller’s request to metrics and the log, with the accounted figures', () => {
    const { report, requestRecord, log } = logStage();
    report(finished, undefined, 0.1);
    expect(requestRecord).toHaveBeenCalledWith(expect.objectContaining({ keyId: 'key_test', costUsd: 0.1 }));
    expect(requestRecord.mock.calls[0]?.[0]).not.toHaveProperty('overheadMs');
    expect(log).toHaveBeenCalledWith(finished, undefined, 0.1);
  });

  it('logs an unauthenticated request without a metrics record', () => {
    const { report, requestRecord, log } = logStage();
    const anonymous = { ...finished, principal: undefined };
    report(anonymous, undefined, 0);
    expect(requestRecord).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(anonymous, undefined, 0);
  });
});
