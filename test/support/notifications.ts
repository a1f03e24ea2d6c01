import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnalyticsAlert, GuardDetection, ReviewCreated } from '../../src/notifications/index.js';
import { projectRoot } from './cli.js';

/** Notifications as the review queue, the guard and analytics will emit them. */
export const reviewEvent: ReviewCreated = {
  kind: 'review.created',
  reviewId: 'rev_0001',
  tenantId: 'acme',
  actor: 'invoice-bot',
  action: 'approve_refund',
  resource: { invoice: 'INV-1042', amount: '1900' },
  reason: 'confidence 0.74 is below the allow gate 0.9',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
};

export const guardEvent: GuardDetection = {
  kind: 'guard.detection',
  severity: 'critical',
  detected: 'prompt injection',
  where: 'tool result of search_web',
  action: 'blocked',
  score: 0.97,
  requestId: 'req_42',
};

export const alertEvent: AnalyticsAlert = {
  kind: 'analytics.alert',
  agent: 'invoice-bot',
  alert: 'reputation_low',
  value: 0.42,
  threshold: 0.5,
};

/** Reads `gatehouse_notifications_total{channel, outcome}` from a Prometheus text exposition. */
export function notificationCount(exposition: string, channel: string, outcome: string): number {
  const line = exposition
    .split('\n')
    .find((candidate) =>
      candidate.startsWith(`gatehouse_notifications_total{channel="${channel}",outcome="${outcome}"}`),
    );
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

export type VerifySignature = (
  header: string | undefined,
  rawBody: string | Buffer,
  secret: string,
  toleranceSeconds?: number,
  now?: number,
) => boolean;

/**
 * The signature verification sample of docs/notifications.md, run as published: the fenced block
 * after its marker comment, written to a module and imported. A sample that drifts from what the
 * gateway sends fails the tests that use it.
 */
export async function documentedVerifier(): Promise<VerifySignature> {
  const page = readFileSync(join(projectRoot, 'docs', 'notifications.md'), 'utf8');
  const marker = page.indexOf('<!-- signature-verification-sample');
  const start = page.indexOf('```js\n', marker);
  const end = page.indexOf('\n```', start + 6);
  if (marker < 0 || start < 0 || end < 0)
    throw new Error('no signature verification sample in docs/notifications.md');
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-sample-')), 'verify.mjs');
  writeFileSync(file, page.slice(start + 6, end));
  const module = (await import(pathToFileURL(file).href)) as { verifyGatehouseSignature: VerifySignature };
  return module.verifyGatehouseSignature;
}
