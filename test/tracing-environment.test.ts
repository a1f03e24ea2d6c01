import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { chat, startOtlpReceiver, waitFor, type OtlpReceiver } from './support/telemetry.js';

/**
 * The standard OpenTelemetry SDK variables reach a real gateway process: the batch processor's
 * schedule delay (a short one exports while the gateway runs, not only at shutdown) and the
 * resource attributes (on every exported span), against a local OTLP/HTTP receiver. A bad number
 * in one of them stops the start with exit code 2, naming the variable.
 */

let receiver: OtlpReceiver;
let gateway: CliProcess & { url: string };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  gateway = await startCliGateway({
    env: {
      TRACING_MODE: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
      OTEL_BSP_MAX_QUEUE_SIZE: '1024',
      OTEL_BSP_EXPORT_TIMEOUT: '5000',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging,team.name=ml%20platform',
    },
  });
}, 30_000);

afterAll(async () => {
  gateway.kill();
  await gateway.exited;
  await receiver.close();
});

describe('OTEL_* batch and resource variables', () => {
  it('a short OTEL_BSP_SCHEDULE_DELAY exports spans while the gateway runs, with OTEL_RESOURCE_ATTRIBUTES on them', async () => {
    const requestId = 'otel-environment-1';
    const answer = await chat(
      gateway.url,
      testMasterKey,
      { model: 'mock-small' },
      { 'x-request-id': requestId },
    );
    expect(answer.status).toBe(200);
    const sentAt = Date.now();
    // The SDK's default delay is 5 s; 100 ms (plus the export) arrives well within 2.5 s.
    const span = await waitFor(
      () => receiver.spans().find((candidate) => candidate.attributes['gatehouse.request_id'] === requestId),
      'the request span at the receiver',
      2_500,
    );
    expect(Date.now() - sentAt).toBeLessThan(2_500);
    expect(span.resource).toMatchObject({
      'service.name': 'gatehouse',
      'deployment.environment': 'staging',
      'team.name': 'ml platform',
    });
  });
});

describe('a bad OTEL_* value', () => {
  it.each([
    ['OTEL_BSP_SCHEDULE_DELAY', 'soon'],
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '-5'],
    ['OTEL_BSP_MAX_QUEUE_SIZE', '1.5'],
    ['OTEL_BSP_EXPORT_TIMEOUT', 'never'],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '0'],
    ['OTEL_RESOURCE_ATTRIBUTES', 'no-equals-sign'],
  ])(
    '%s=%s stops the start with exit code 2, naming the variable',
    async (variable, value) => {
      const cli = spawnCli(['start', '--port', '0'], {
        env: { GATEHOUSE_MASTER_KEY: testMasterKey, TRACING_MODE: 'otlp', [variable]: value },
      });
      const exit = await Promise.race([
        cli.exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('still running after 15 s')), 15_000),
        ),
      ]).finally(() => cli.kill());
      expect(exit.code).toBe(2);
      expect(cli.stderr() + cli.stdout()).toContain(variable);
    },
    20_000,
  );
});
