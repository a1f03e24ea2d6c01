import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../src/config/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startHttpReceiver, type Answer, type HttpReceiver } from './support/notification-receivers.js';
import { documentedVerifier, notificationCount, reviewEvent } from './support/notifications.js';

/**
 * How notifications are delivered, through the real gateway to real HTTP receivers: retries with
 * backoff for 5xx, none for 4xx, Retry-After honoured within the cap, a hanging channel isolated
 * from a healthy one, a full queue dropping (and counting) the oldest, and shutdown delivering
 * what waits within a bounded time.
 */

const secret = ['delivery', 'test', 'secret', '0123456789'].join('-');
const opened: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

async function receiver(answer?: (index: number) => Answer): Promise<HttpReceiver> {
  const started = await startHttpReceiver(answer);
  opened.push(started);
  return started;
}

async function gatewayWith(notifications: NonNullable<ConfigInput['notifications']>): Promise<TestGateway> {
  const started = await startTestGateway({ notifications });
  opened.push(started);
  return started;
}

const webhook = (name: string, target: HttpReceiver) => ({
  name,
  type: 'webhook' as const,
  url: `${target.url}/hook`,
  secret,
});

async function metricsOf(gateway: TestGateway): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`, {
    headers: { authorization: `Bearer ${gateway.masterKey}` },
  });
  return response.text();
}

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const failureLines = (gateway: TestGateway) =>
  gateway.logRecords().filter((record) => record.msg === 'notification not delivered');

describe('retries', () => {
  it('retries a receiver failing twice with backoff, then delivers, signing each try anew', async () => {
    const flaky = await receiver((index) => (index < 2 ? { status: 503 } : { status: 200 }));
    const gateway = await gatewayWith({
      retry: { attempts: 5, initial_ms: 200, max_ms: 1_000 },
      channels: [webhook('flaky', flaky)],
    });
    gateway.gateway.notify(reviewEvent);
    await flaky.waitFor(3);
    const [first, second, third] = flaky.requests;
    // Equal jitter: at least half of 200 ms, then half of 400 ms.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(95);
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(195);
    expect(new Set(flaky.requests.map((request) => request.headers['x-gatehouse-delivery'])).size).toBe(1);
    expect(new Set(flaky.requests.map((request) => request.body)).size).toBe(1);
    const verify = await documentedVerifier();
    for (const request of flaky.requests)
      expect(verify(String(request.headers['x-gatehouse-signature']), request.body, secret)).toBe(true);
    await until(
      async () => notificationCount(await metricsOf(gateway), 'flaky', 'delivered') === 1,
      'delivered',
    );
    const metrics = await metricsOf(gateway);
    expect(notificationCount(metrics, 'flaky', 'retried')).toBe(2);
    expect(notificationCount(metrics, 'flaky', 'failed')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(flaky.requests).toHaveLength(3);
  });

  it('does not retry a 4xx, and logs the failure without the URL or secret', async () => {
    const refusing = await receiver(() => ({ status: 400, body: `bad payload; your secret was ${secret}` }));
    const gateway = await gatewayWith({
      retry: { attempts: 5, initial_ms: 20, max_ms: 50 },
      channels: [webhook('refusing', refusing)],
    });
    gateway.gateway.notify(reviewEvent);
    await until(
      async () => notificationCount(await metricsOf(gateway), 'refusing', 'failed') === 1,
      'the failure',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(refusing.requests).toHaveLength(1);
    expect(notificationCount(await metricsOf(gateway), 'refusing', 'retried')).toBe(0);
    const [line] = failureLines(gateway);
    expect(line).toMatchObject({
      level: 'warn',
      channel: 'refusing',
      channel_type: 'webhook',
      kind: 'review.created',
      attempts: 1,
      reason: 'HTTP 400',
    });
    expect(gateway.logs()).not.toContain(secret);
    expect(gateway.logs()).not.toContain(`${refusing.url}/hook`);
  });

  it("honours a 429's Retry-After, and gives up on one beyond the cap", async () => {
    const limited = await receiver((index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const tooLong = await receiver(() => ({ status: 429, headers: { 'retry-after': '60' } }));
    const gateway = await gatewayWith({
      retry: { attempts: 5, initial_ms: 10, max_ms: 2_000 },
      channels: [webhook('limited', limited), webhook('too-long', tooLong)],
    });
    gateway.gateway.notify(reviewEvent);
    await limited.waitFor(2);
    const [first, second] = limited.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    await until(() => failureLines(gateway).length === 1, 'giving up on too-long');
    expect(tooLong.requests).toHaveLength(1);
    expect(failureLines(gateway)[0]?.reason).toBe('HTTP 429; Retry-After of 60 s exceeds the 2000 ms cap');
  });
});

describe('isolation', () => {
  it('a channel that never answers slows neither notify() nor a healthy channel', async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    const gateway = await gatewayWith({
      timeout_ms: 3_000,
      close_timeout_ms: 300,
      retry: { attempts: 2, initial_ms: 10, max_ms: 10 },
      channels: [webhook('hanging', hanging), webhook('healthy', healthy)],
    });
    const returned = Array.from({ length: 20 }, (_, index) =>
      gateway.gateway.notify({ ...reviewEvent, reviewId: `rev_${index}` }),
    );
    // notify is synchronous: it returned before either receiver saw anything.
    expect(returned.every((value) => value === undefined)).toBe(true);
    expect(healthy.requests).toHaveLength(0);
    expect(hanging.requests).toHaveLength(0);
    // All twenty arrive while the hanging channel's first four tries wait out their timeout.
    await healthy.waitFor(20, 2_500);
    await hanging.waitFor(4);
    expect(hanging.requests).toHaveLength(4);
    expect(notificationCount(await metricsOf(gateway), 'healthy', 'delivered')).toBe(20);
    expect(notificationCount(await metricsOf(gateway), 'hanging', 'delivered')).toBe(0);
    // Then each try times out and is retried; the healthy channel never noticed.
    await until(
      async () => notificationCount(await metricsOf(gateway), 'hanging', 'retried') >= 4,
      'the hanging channel retrying after its timeout',
    );
  });
});

describe('the bounded queue', () => {
  it('drops the oldest when full, counts and logs it, and shutdown gives up within its deadline', async () => {
    const hanging = await receiver(() => 'hang');
    const gateway = await gatewayWith({
      queue_size: 3,
      timeout_ms: 60_000,
      close_timeout_ms: 300,
      channels: [webhook('hanging', hanging)],
    });
    for (let index = 0; index < 20; index += 1)
      gateway.gateway.notify({ ...reviewEvent, reviewId: `rev_${index}` });
    const metrics = await metricsOf(gateway);
    expect(notificationCount(metrics, 'hanging', 'dropped')).toBe(17);
    const drops = gateway
      .logRecords()
      .filter((record) => String(record.msg).startsWith('notifications dropped'));
    expect(drops).toHaveLength(1);
    expect(drops[0]).toMatchObject({ level: 'warn', channel: 'hanging', queue_size: 3 });
    // The three kept are the newest.
    await hanging.waitFor(3);
    const kept = hanging.requests.map((request) => JSON.parse(request.body).data.review_id as string);
    expect(kept.sort()).toEqual(['rev_17', 'rev_18', 'rev_19']);
    const started = Date.now();
    await gateway.close();
    // Loose: a hang would take the try's whole minute.
    expect(Date.now() - started).toBeLessThan(5_000);
    const summary = gateway
      .logRecords()
      .filter((record) => String(record.msg).startsWith('notifications dropped'));
    // The three given up on, with the sixteen drops not logged yet (one line per 10 s at most).
    expect(summary.at(-1)).toMatchObject({ channel: 'hanging', dropped: 19 });
  });

  it('closing the gateway delivers what is still waiting', async () => {
    const slow = await receiver();
    const gateway = await gatewayWith({ channels: [webhook('slow', slow)] });
    for (let index = 0; index < 10; index += 1)
      gateway.gateway.notify({ ...reviewEvent, reviewId: `rev_${index}` });
    await gateway.close();
    expect(slow.requests).toHaveLength(10);
  });
});
