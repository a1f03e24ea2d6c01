import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import {
  selfSignedCertificate,
  startHttpReceiver,
  startSmtpReceiver,
  type HttpReceiver,
  type SmtpReceiver,
} from './support/notification-receivers.js';
import {
  alertEvent,
  documentedVerifier,
  guardEvent,
  notificationCount,
  reviewEvent,
  type VerifySignature,
} from './support/notifications.js';

/**
 * Each channel type against a real receiver on 127.0.0.1, through the real gateway's notifier:
 * Slack's incoming-webhook JSON, the signed generic webhook (verified with the code sample the
 * docs publish), PagerDuty's Events API v2 body, and email accepted by a real SMTP server, in plain
 * text with a login, over STARTTLS with a private CA, and over implicit TLS.
 */

// Built at run time: nothing secret-shaped lives in the repository.
const slackToken = ['slack', 'token', 'XyZ0123456789abcdef'].join('');
const hookSecret = ['whsec', 'test', '0123456789abcdef'].join('_');
const routingKey = ['R0', 'ROUTING', 'KEY', '0123456789abcd'].join('');
const smtpPassword = ['smtp', 'pass', '0123456789'].join('-');

let slack: HttpReceiver;
let hook: HttpReceiver;
let pagerDuty: HttpReceiver;
let smtp: SmtpReceiver;
let gateway: TestGateway;
let verify: VerifySignature;

beforeAll(async () => {
  verify = await documentedVerifier();
  slack = await startHttpReceiver();
  hook = await startHttpReceiver(() => ({ status: 204 }));
  pagerDuty = await startHttpReceiver(() => ({
    status: 202,
    headers: { 'content-type': 'application/json' },
    body: '{"status":"success","message":"Event processed","dedup_key":"x"}',
  }));
  smtp = await startSmtpReceiver({ login: { user: 'gatehouse', password: smtpPassword } });
  gateway = await startTestGateway({
    notifications: {
      public_url: 'https://gatehouse.example.com',
      channels: [
        { name: 'ops-slack', type: 'slack', url: `${slack.url}/services/T0/B0/${slackToken}` },
        {
          name: 'siem',
          type: 'webhook',
          url: `${hook.url}/hooks/gatehouse`,
          secret: hookSecret,
          events: ['review.created', 'guard.detection'],
        },
        {
          name: 'oncall',
          type: 'pagerduty',
          routing_key: routingKey,
          events_url: `${pagerDuty.url}/v2/enqueue`,
          source: 'gatehouse-test',
          events: ['guard.detection', 'analytics.alert'],
        },
        {
          name: 'security',
          type: 'email',
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            starttls: 'never',
            user: 'gatehouse',
            password: smtpPassword,
          },
          from: 'Gatehouse <gatehouse@example.com>',
          to: ['security@example.com', 'oncall@example.com'],
          events: ['review.created'],
        },
      ],
    },
  });
  gateway.gateway.notify(reviewEvent);
  gateway.gateway.notify(guardEvent);
  gateway.gateway.notify(alertEvent);
  await Promise.all([slack.waitFor(3), hook.waitFor(2), pagerDuty.waitFor(2), smtp.waitFor(1)]);
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([slack.close(), hook.close(), pagerDuty.close(), smtp.close()]);
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- received JSON; the assertions check its shape
type Loose = any;

function json(body: string): Record<string, Loose> {
  return JSON.parse(body) as Record<string, Loose>;
}

describe('slack', () => {
  it('posts Block Kit JSON to the incoming-webhook URL, each kind it takes', () => {
    expect(slack.requests.map((request) => request.path)).toEqual(
      Array(3).fill(`/services/T0/B0/${slackToken}`),
    );
    const [review, guard, alert] = slack.requests.map((request) => json(request.body));
    expect(slack.requests[0]?.headers['content-type']).toBe('application/json');
    expect(review?.text).toBe('Review needed: invoice-bot wants approve_refund');
    expect(review?.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Review needed: invoice-bot wants approve_refund' },
    });
    const fields = (review?.blocks[1].fields as { text: string }[]).map((field) => field.text);
    expect(fields).toContain('*Resource*\ninvoice=INV-1042, amount=1900');
    expect(fields).toContain('*Reason*\nconfidence 0.74 is below the allow gate 0.9');
    expect(review?.blocks[2]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '<https://gatehouse.example.com/v1/queue/rev_0001|Open in Gatehouse>' },
    });
    expect(guard?.text).toBe('Guard: prompt injection (critical) in tool result of search_web');
    expect(alert?.text).toBe('Alert: reputation_low for agent invoice-bot');
  });
});

describe('the signed webhook', () => {
  it('posts the event as JSON with its kind and delivery id', () => {
    const [review, guard] = hook.requests;
    expect(review?.path).toBe('/hooks/gatehouse');
    const body = json(review?.body ?? '{}');
    expect(body).toEqual({
      id: expect.any(String),
      type: 'review.created',
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: {
        review_id: 'rev_0001',
        tenant_id: 'acme',
        actor: 'invoice-bot',
        action: 'approve_refund',
        resource: { invoice: 'INV-1042', amount: '1900' },
        reason: 'confidence 0.74 is below the allow gate 0.9',
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        link: 'https://gatehouse.example.com/v1/queue/rev_0001',
      },
    });
    expect(review?.headers['x-gatehouse-event']).toBe('review.created');
    expect(review?.headers['x-gatehouse-delivery']).toBe(body.id);
    expect(json(guard?.body ?? '{}').data).toMatchObject({
      severity: 'critical',
      detected: 'prompt injection',
    });
  });

  it('signs t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, which the documented sample verifies', () => {
    for (const request of hook.requests) {
      const header = String(request.headers['x-gatehouse-signature']);
      expect(header).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
      const timestamp = Number(/t=(\d+)/.exec(header)?.[1]);
      expect(Math.abs(timestamp - request.at / 1000)).toBeLessThan(5);
      const expected = createHmac('sha256', hookSecret).update(`${timestamp}.${request.body}`).digest('hex');
      expect(header).toBe(`t=${timestamp},v1=${expected}`);
      expect(verify(header, request.body, hookSecret)).toBe(true);
      expect(verify(header, Buffer.from(request.body), hookSecret)).toBe(true);
    }
  });

  it('the sample refuses a changed body, another key, a replay outside five minutes and junk', () => {
    const request = hook.requests[0];
    const header = String(request?.headers['x-gatehouse-signature']);
    const body = request?.body ?? '';
    const signedAt = Number(/t=(\d+)/.exec(header)?.[1]) * 1000;
    expect(verify(header, body.replace('approve_refund', 'approve_refunds'), hookSecret)).toBe(false);
    expect(verify(header, body, `${hookSecret}x`)).toBe(false);
    expect(verify(header, body, hookSecret, 300, signedAt + 299_000)).toBe(true);
    expect(verify(header, body, hookSecret, 300, signedAt + 301_000)).toBe(false);
    expect(verify(header.replace(/t=\d+/, `t=${signedAt / 1000 + 1}`), body, hookSecret, 300, signedAt)).toBe(
      false,
    );
    for (const junk of [undefined, '', 't=1', 'v1=abc', `t=x,v1=${'0'.repeat(64)}`, 't=1,v1=zz'])
      expect(verify(junk, body, hookSecret)).toBe(false);
  });
});

describe('pagerduty', () => {
  it('sends Events API v2 triggers with the routing key in the body', () => {
    expect(pagerDuty.requests.map((request) => request.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    const [guard, alert] = pagerDuty.requests.map((request) => json(request.body));
    expect(guard).toEqual({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: expect.stringMatching(/^gatehouse-guard-/),
      payload: {
        summary: 'Guard: prompt injection (critical) in tool result of search_web',
        source: 'gatehouse-test',
        severity: 'critical',
        timestamp: expect.any(String),
        component: 'gatehouse',
        class: 'guard.detection',
        custom_details: {
          notification_id: expect.any(String),
          severity: 'critical',
          detected: 'prompt injection',
          where: 'tool result of search_web',
          action: 'blocked',
          score: 0.97,
          request_id: 'req_42',
        },
      },
      client: 'Gatehouse',
    });
    expect(alert?.dedup_key).toBe('gatehouse-analytics-invoice-bot-reputation_low');
    expect(alert?.payload.severity).toBe('warning');
  });
});

describe('email', () => {
  it('reaches the SMTP server with the login, the recipients and the subject', () => {
    const [mail] = smtp.mails;
    expect(mail?.user).toBe('gatehouse');
    expect(mail?.from).toBe('gatehouse@example.com');
    expect(mail?.to).toEqual(['security@example.com', 'oncall@example.com']);
    expect(mail?.header('subject')).toBe('[Gatehouse] Review needed: invoice-bot wants approve_refund');
    expect(mail?.header('x-gatehouse-event')).toBe('review.created');
    expect(mail?.text).toContain('Resource: invoice=INV-1042, amount=1900');
    expect(mail?.text).toContain('Open in Gatehouse: https://gatehouse.example.com/v1/queue/rev_0001');
  });
});

describe('delivery outcomes', () => {
  it('are counted per channel', async () => {
    const metrics = await (
      await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${gateway.masterKey}` } })
    ).text();
    expect(notificationCount(metrics, 'ops-slack', 'delivered')).toBe(3);
    expect(notificationCount(metrics, 'siem', 'delivered')).toBe(2);
    expect(notificationCount(metrics, 'oncall', 'delivered')).toBe(2);
    expect(notificationCount(metrics, 'security', 'delivered')).toBe(1);
    expect(notificationCount(metrics, 'security', 'failed')).toBe(0);
    for (const secret of [slackToken, hookSecret, routingKey, smtpPassword])
      expect(metrics).not.toContain(secret);
  });
});

describe('email over TLS', () => {
  const certificate = selfSignedCertificate('smtp-test');
  const ca = { ca_path: certificate.certPath };
  const channel = (name: string, port: number, smtpSettings: Record<string, unknown>) => ({
    name,
    type: 'email' as const,
    smtp: { host: '127.0.0.1', port, ...smtpSettings },
    from: 'gatehouse@example.com',
    to: ['ops@example.com'],
  });

  it('upgrades with STARTTLS trusting a private CA, speaks implicit TLS, and refuses a server without STARTTLS', async () => {
    const starttls = await startSmtpReceiver({
      tls: certificate,
      login: { user: 'u', password: smtpPassword },
    });
    const implicit = await startSmtpReceiver({ tls: certificate, secure: true });
    const plainOnly = await startSmtpReceiver();
    const tlsGateway = await startTestGateway({
      notifications: {
        retry: { attempts: 3, initial_ms: 10, max_ms: 10 },
        channels: [
          channel('starttls', starttls.port, { ...ca, user: 'u', password: smtpPassword }),
          channel('implicit', implicit.port, { ...ca, secure: true }),
          channel('required', plainOnly.port, {}),
        ],
      },
    });
    try {
      const outcome = await fetch(`${tlsGateway.url}/admin/notifications/test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tlsGateway.masterKey}` },
      });
      const answer = (await outcome.json()) as {
        results: { channel: string; outcome: string; reason: string }[];
      };
      expect(answer.results.map((result) => [result.channel, result.outcome])).toEqual([
        ['starttls', 'delivered'],
        ['implicit', 'delivered'],
        ['required', 'failed'],
      ]);
      expect(answer.results[2]?.reason).toMatch(/^SMTP /);
      expect(starttls.mails[0]?.secure).toBe(true);
      expect(starttls.mails[0]?.user).toBe('u');
      expect(implicit.mails[0]?.secure).toBe(true);
      // The password never travelled to the server that could not encrypt.
      expect(plainOnly.mails).toHaveLength(0);
    } finally {
      await tlsGateway.close();
      await Promise.all([starttls.close(), implicit.close(), plainOnly.close()]);
    }
  });
});
