import { describe, expect, it } from 'vitest';
import type { DeliveryResult, NotificationChannel } from './channel.js';
import type { Notification, NotificationEvent, NotificationKind } from './notification.js';
import { createNotifier, type NotifierSettings } from './notifier.js';
import type { DeliveryOutcome } from './notifier-dependencies.js';

/**
 * The notifier's queueing, retries, isolation and shutdown, with channels scripted in memory (the
 * real channels against real servers are in test/notifications.test.ts). Real timers, short delays.
 */

const review: NotificationEvent = {
  kind: 'review.created',
  reviewId: 'rev_1',
  tenantId: 'acme',
  actor: 'invoice-bot',
  action: 'approve_refund',
  resource: { invoice: 'INV-1' },
  reason: 'confidence below the allow gate',
};
const alert: NotificationEvent = {
  kind: 'analytics.alert',
  agent: 'bot',
  alert: 'anomaly_high',
  value: 0.95,
  threshold: 0.9,
};

const settings: NotifierSettings = {
  queueSize: 10,
  retry: { attempts: 3, initialMs: 5, maxMs: 20 },
  timeoutMs: 1_000,
  closeTimeoutMs: 1_000,
};

interface Scripted extends NotificationChannel {
  readonly received: Notification[];
  closed: boolean;
}

/** A channel answering each try with the next scripted result (the last one repeats); `hang` never answers. */
function scripted(name: string, script: (DeliveryResult | 'hang')[], events?: NotificationKind[]): Scripted {
  const received: Notification[] = [];
  const channel: Scripted = {
    name,
    type: 'webhook',
    events: new Set(events ?? ['review.created', 'guard.detection', 'analytics.alert']),
    received,
    closed: false,
    deliver(notification) {
      received.push(notification);
      const step = script[Math.min(received.length - 1, script.length - 1)] ?? 'hang';
      return step === 'hang' ? new Promise<DeliveryResult>(() => undefined) : Promise.resolve(step);
    },
    close() {
      channel.closed = true;
      return Promise.resolve();
    },
  };
  return channel;
}

function harness(channels: NotificationChannel[], overrides: Partial<NotifierSettings> = {}) {
  const counts = new Map<string, number>();
  const logs: { details: Record<string, unknown>; message: string }[] = [];
  const notifier = createNotifier({
    settings: { ...settings, ...overrides },
    channels,
    observer: {
      outcome: (channel: string, outcome: DeliveryOutcome) =>
        counts.set(`${channel}:${outcome}`, (counts.get(`${channel}:${outcome}`) ?? 0) + 1),
      queueDepth: () => undefined,
    },
    log: { warn: (details, message) => logs.push({ details: details as Record<string, unknown>, message }) },
    redact: (text) => text.replaceAll('hunter2', '[redacted]'),
  });
  const count = (channel: string, outcome: DeliveryOutcome) => counts.get(`${channel}:${outcome}`) ?? 0;
  return { notifier, count, logs };
}

const delivered: DeliveryResult = { type: 'delivered', status: 200 };
const unavailable: DeliveryResult = { type: 'retryable', reason: 'HTTP 503', status: 503 };

async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('notify', () => {
  it('returns before any channel is tried, and sends each channel only the kinds it takes', async () => {
    const all = scripted('all', [delivered]);
    const reviewsOnly = scripted('reviews', [delivered], ['review.created']);
    const { notifier, count } = harness([all, reviewsOnly]);
    notifier.notify(review);
    notifier.notify(alert);
    expect(all.received).toHaveLength(0);
    await until(() => count('all', 'delivered') === 2 && count('reviews', 'delivered') === 1, 'deliveries');
    expect(reviewsOnly.received.map((notification) => notification.kind)).toEqual(['review.created']);
    const [first] = all.received;
    expect(first).toMatchObject({ ...review, id: expect.any(String), occurredAt: expect.any(String) });
    // One id per notification, shared by every channel.
    expect(reviewsOnly.received[0]?.id).toBe(first?.id);
    await notifier.close();
  });

  it('retries a retryable failure until it is delivered', async () => {
    const flaky = scripted('flaky', [unavailable, unavailable, delivered]);
    const { notifier, count } = harness([flaky]);
    notifier.notify(review);
    await until(() => count('flaky', 'delivered') === 1, 'the third try');
    expect(flaky.received).toHaveLength(3);
    expect(count('flaky', 'retried')).toBe(2);
    expect(new Set(flaky.received.map((notification) => notification.id)).size).toBe(1);
    await notifier.close();
  });

  it('does not retry a refusal, and logs it with secrets redacted', async () => {
    const refusing = scripted('refusing', [
      { type: 'refused', reason: 'SMTP 535 EAUTH: bad password hunter2', status: 535 },
    ]);
    const { notifier, count, logs } = harness([refusing]);
    notifier.notify(review);
    await until(() => count('refusing', 'failed') === 1, 'the failure');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(refusing.received).toHaveLength(1);
    expect(count('refusing', 'retried')).toBe(0);
    const line = logs.find((entry) => entry.message === 'notification not delivered');
    expect(line?.details).toMatchObject({ channel: 'refusing', kind: 'review.created', attempts: 1 });
    expect(line?.details.reason).toBe('SMTP 535 EAUTH: bad password [redacted]');
    await notifier.close();
  });

  it('gives up after the configured tries', async () => {
    const down = scripted('down', [unavailable]);
    const { notifier, count, logs } = harness([down]);
    notifier.notify(review);
    await until(() => count('down', 'failed') === 1, 'giving up');
    expect(down.received).toHaveLength(3);
    expect(count('down', 'retried')).toBe(2);
    expect(logs.at(-1)?.details.reason).toBe('HTTP 503 after 3 tries');
    await notifier.close();
  });

  it('bounds each try by the timeout, and a hanging channel does not hold up another', async () => {
    const hanging = scripted('hanging', ['hang']);
    const healthy = scripted('healthy', [delivered]);
    const { notifier, count } = harness([hanging, healthy], {
      timeoutMs: 50,
      retry: { attempts: 2, initialMs: 5, maxMs: 5 },
    });
    for (let index = 0; index < 5; index += 1) notifier.notify(review);
    await until(() => count('healthy', 'delivered') === 5, 'the healthy channel');
    expect(count('hanging', 'delivered')).toBe(0);
    await until(() => count('hanging', 'failed') === 5, 'the hanging channel giving up');
    expect(hanging.received).toHaveLength(10);
    await notifier.close();
  });

  it('drops the oldest waiting notification when a queue is full, counts each drop, logs once', async () => {
    const hanging = scripted('hanging', ['hang']);
    const { notifier, count, logs } = harness([hanging], {
      queueSize: 2,
      timeoutMs: 60_000,
      closeTimeoutMs: 50,
    });
    const events = Array.from({ length: 10 }, (_, index) => ({ ...review, reviewId: `rev_${index}` }));
    // Four go in flight (the per-channel concurrency), two at a time: the queue holds two.
    notifier.notify(events[0] ?? review);
    notifier.notify(events[1] ?? review);
    await until(() => hanging.received.length === 2, 'two in flight');
    notifier.notify(events[2] ?? review);
    notifier.notify(events[3] ?? review);
    await until(() => hanging.received.length === 4, 'four in flight');
    expect(count('hanging', 'dropped')).toBe(0);
    for (const event of events.slice(4)) notifier.notify(event);
    expect(count('hanging', 'dropped')).toBe(4);
    expect(logs.filter((entry) => entry.message.startsWith('notifications dropped'))).toHaveLength(1);
    await notifier.close();
    // At the close deadline the two still waiting (the newest) and the four in flight are dropped.
    expect(count('hanging', 'dropped')).toBe(10);
    expect(hanging.received.map((notification) => (notification as { reviewId?: string }).reviewId)).toEqual([
      'rev_0',
      'rev_1',
      'rev_2',
      'rev_3',
    ]);
  });
});

describe('close', () => {
  it('delivers what waits before it resolves', async () => {
    const healthy = scripted('healthy', [unavailable, delivered]);
    const { notifier, count } = harness([healthy]);
    notifier.notify(review);
    notifier.notify(alert);
    await notifier.close();
    expect(count('healthy', 'delivered')).toBe(2);
    expect(healthy.closed).toBe(true);
  });

  it('gives up on a hanging channel at its deadline, and drops what comes after', async () => {
    const hanging = scripted('hanging', ['hang']);
    const { notifier, count, logs } = harness([hanging], { timeoutMs: 60_000, closeTimeoutMs: 100 });
    for (let index = 0; index < 6; index += 1) notifier.notify(review);
    const started = Date.now();
    await notifier.close();
    // Loose: a hang would take the try's whole minute.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(count('hanging', 'dropped')).toBe(6);
    expect(hanging.closed).toBe(true);
    expect(logs.at(-1)?.details).toMatchObject({ channel: 'hanging', dropped: 6 });
    notifier.notify(review);
    expect(count('hanging', 'dropped')).toBe(7);
  });
});

describe('test', () => {
  it('tries every channel once, past the queue, and reports each outcome', async () => {
    const healthy = scripted('healthy', [delivered], ['review.created']);
    const down = scripted('down', [unavailable]);
    const { notifier, count } = harness([healthy, down]);
    const outcome = await notifier.test('key_admin');
    expect(outcome.type).toBe('tested');
    if (outcome.type !== 'tested') return;
    expect(
      outcome.results.map(({ channel, outcome: result, status, reason }) => ({
        channel,
        result,
        status,
        reason,
      })),
    ).toEqual([
      { channel: 'healthy', result: 'delivered', status: 200, reason: undefined },
      { channel: 'down', result: 'failed', status: 503, reason: 'HTTP 503' },
    ]);
    expect(down.received).toHaveLength(1);
    expect(healthy.received[0]).toMatchObject({ kind: 'notification.test', requestedBy: 'key_admin' });
    expect(count('down', 'failed')).toBe(1);
    expect(await notifier.test('key_admin', 'nope')).toEqual({ type: 'unknown_channel', name: 'nope' });
    const one = await notifier.test('key_admin', 'healthy');
    expect(one.type === 'tested' ? one.results.map((result) => result.channel) : []).toEqual(['healthy']);
    await notifier.close();
  });
});
