import { describe, expect, it } from 'vitest';
import { emailSubject, emailText, resultOfSmtpError } from './email-channel.js';
import { eventJson } from './event-json.js';
import type { Notification } from './notification.js';
import { pagerDutyEvent } from './pagerduty-channel.js';
import { present } from './presentation.js';
import { escapeSlack, slackMessage } from './slack-channel.js';

const stamp = { id: 'n-1', occurredAt: '2026-05-14T09:30:12.345Z' };
const review: Notification = {
  ...stamp,
  kind: 'review.created',
  reviewId: 'rev/1',
  tenantId: 'acme',
  actor: 'invoice-bot',
  action: 'approve_refund <!channel>',
  resource: { invoice: 'INV-1', note: 'x'.repeat(1_000) },
  reason: 'confidence 0.74 is below the allow gate 0.9',
};
const guard: Notification = {
  ...stamp,
  kind: 'guard.detection',
  severity: 'high',
  detected: 'prompt injection',
  where: 'tool result',
};
const pagerDuty = {
  name: 'oncall',
  events: new Set<Notification['kind']>(),
  routingKey: 'routing-key-value',
  severity: undefined,
  source: 'gatehouse-prod',
  eventsUrl: 'http://127.0.0.1/v2/enqueue',
  publicUrl: undefined,
  post: () => Promise.resolve({ type: 'delivered' as const }),
};

describe('presentation', () => {
  it('clips values from requests and links a review when the public address is known', () => {
    const shown = present(review, 'https://gatehouse.example.com/');
    expect(shown.link).toBe('https://gatehouse.example.com/v1/queue/rev%2F1');
    const resource = shown.fields.find(([label]) => label === 'Resource')?.[1] ?? '';
    expect(resource.length).toBe(300);
    expect(resource.endsWith('…')).toBe(true);
    expect(present(review, undefined).link).toBeUndefined();
  });
});

describe('slack', () => {
  it('escapes the characters that make mentions and links', () => {
    expect(escapeSlack('<!channel> & <https://evil|click>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://evil|click&gt;',
    );
    const message = slackMessage(review, present(review, undefined));
    const text = JSON.stringify(message);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
  });

  it("keeps the header within Slack's 150 characters without cutting an entity", () => {
    const long = { ...review, action: '<'.repeat(200) };
    const message = slackMessage(long, present(long, undefined)) as { blocks: { text?: { text: string } }[] };
    const header = message.blocks[0]?.text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header).toMatch(/(&lt;)+…$/);
  });
});

describe('email', () => {
  it('keeps the subject on one line', () => {
    const subject = emailSubject(present({ ...review, actor: 'bot\r\nBcc: victim@example.com' }, undefined));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('[Gatehouse] Review needed: bot Bcc: victim@example.com')).toBe(true);
  });

  it('writes the fields one per line', () => {
    const text = emailText(guard, present(guard, undefined));
    expect(text).toContain('Detected: prompt injection\nWhere: tool result');
    expect(text).toContain('Notification n-1 (guard.detection), 2026-05-14T09:30:12.345Z.');
  });

  it('retries SMTP 4xx replies and connection trouble, not 5xx replies or a refused login', () => {
    expect(resultOfSmtpError({ code: 'EENVELOPE', responseCode: 451, response: '451 try later' }).type).toBe(
      'retryable',
    );
    expect(resultOfSmtpError({ code: 'ECONNECTION' }).type).toBe('retryable');
    expect(resultOfSmtpError({ code: 'ETIMEDOUT' }).type).toBe('retryable');
    expect(resultOfSmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 no such user' })).toEqual(
      {
        type: 'refused',
        reason: 'SMTP 550 EENVELOPE: 550 no such user',
        status: 550,
      },
    );
    expect(resultOfSmtpError({ code: 'EAUTH', responseCode: 535 }).type).toBe('refused');
    expect(resultOfSmtpError({ code: 'ETLS' }).type).toBe('refused');
  });
});

describe('pagerduty', () => {
  it('sets severity by kind unless configured, and one dedup key per review', () => {
    const event = pagerDutyEvent(guard, pagerDuty) as { payload: { severity: string }; dedup_key: string };
    expect(event.payload.severity).toBe('error');
    const critical = pagerDutyEvent(guard, { ...pagerDuty, severity: 'critical' }) as typeof event;
    expect(critical.payload.severity).toBe('critical');
    const first = pagerDutyEvent(review, pagerDuty) as typeof event;
    const again = pagerDutyEvent({ ...review, id: 'n-2' }, pagerDuty) as typeof event;
    expect(first.dedup_key).toBe('gatehouse-review-rev/1');
    expect(again.dedup_key).toBe(first.dedup_key);
  });
});

describe('event JSON', () => {
  it('is the event in snake_case, optional fields left out', () => {
    expect(JSON.parse(JSON.stringify(eventJson(guard, undefined)))).toEqual({
      id: 'n-1',
      type: 'guard.detection',
      occurred_at: '2026-05-14T09:30:12.345Z',
      data: { severity: 'high', detected: 'prompt injection', where: 'tool result' },
    });
  });
});
