import { describe, expect, it } from 'vitest';
import { formatProblems } from './config-error.js';
import { loadConfig, type LoadResult } from './load.js';
import { maskedConfig } from './mask.js';
import { configuredSecrets } from './secret-scrubber.js';

function load(yaml: string, env: Record<string, string> = {}): LoadResult {
  return loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return formatProblems(result.errors);
}

function configOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config;
}

// Built at run time: nothing secret-shaped lives in the repository.
const slackUrl = [
  'https://hooks.slack.com/services',
  'T0GATEHOUSE',
  'B0NOTIFY',
  'slackSecretPart0123456789',
].join('/');
const hookSecret = ['hook', 'secret', 'value', '0123456789'].join('-');
const routingKey = ['pd', 'routing', 'key', 'R0123456789ABCDEF'].join('-');
const smtpPassword = ['smtp', 'password', 'value', '987654321'].join('-');
const environment = {
  SLACK_WEBHOOK_URL: slackUrl,
  HOOK_SECRET: hookSecret,
  PD_KEY: routingKey,
  SMTP_PASSWORD: smtpPassword,
};

const everyType = `notifications:
  channels:
    - { name: ops-slack, type: slack, url: "\${SLACK_WEBHOOK_URL}", events: [review.created, guard.detection, analytics.alert] }
    - { name: siem, type: webhook, url: "https://siem.example.com/hook?token=abc", secret: "\${HOOK_SECRET}", events: [review.created] }
    - { name: oncall, type: pagerduty, routing_key: "\${PD_KEY}", severity: critical, events: [guard.detection] }
    - name: security
      type: email
      smtp: { host: smtp.example.com, port: 2525, user: gatehouse, password: "\${SMTP_PASSWORD}" }
      from: "Gatehouse <gatehouse@example.com>"
      to: [security@example.com]
  queue_size: 50
  retry: { attempts: 3 }
`;

describe('the notifications section', () => {
  it('has no channels and bounded delivery by default', () => {
    expect(configOf(load('')).notifications).toEqual({
      channels: [],
      queue_size: 1_000,
      retry: { attempts: 5, initial_ms: 500, max_ms: 30_000 },
      timeout_ms: 5_000,
      close_timeout_ms: 5_000,
    });
  });

  it('accepts one channel of each type, with defaults filled in', () => {
    const { notifications } = configOf(load(everyType, environment));
    expect(notifications.channels.map((channel) => channel.type)).toEqual([
      'slack',
      'webhook',
      'pagerduty',
      'email',
    ]);
    expect(notifications.channels[0]?.url).toBe(slackUrl);
    expect(notifications.channels[3]?.smtp).toEqual({
      host: 'smtp.example.com',
      port: 2525,
      secure: false,
      starttls: 'required',
      user: 'gatehouse',
      password: smtpPassword,
    });
    expect(notifications.retry).toEqual({ attempts: 3, initial_ms: 500, max_ms: 30_000 });
    const defaulted = configOf(
      load('notifications: { channels: [{ name: a, type: pagerduty, routing_key: k }] }'),
    );
    expect(defaulted.notifications.channels[0]?.events).toEqual([
      'review.created',
      'guard.detection',
      'analytics.alert',
    ]);
  });

  it('names what a channel of each type is missing', () => {
    const text = errorsOf(
      load(`notifications:
  channels:
    - { name: a, type: slack }
    - { name: b, type: webhook, url: "https://x.example" }
    - { name: c, type: pagerduty }
    - { name: d, type: email, to: [ops@example.com] }
`),
    );
    expect(text).toContain('notifications.channels[0].url: missing; a slack channel needs url');
    expect(text).toContain('notifications.channels[1].secret: missing; a webhook channel needs url, secret');
    expect(text).toContain(
      'notifications.channels[2].routing_key: missing; a pagerduty channel needs routing_key',
    );
    expect(text).toContain('notifications.channels[3].smtp: missing; an email channel needs smtp, from, to');
    expect(text).toContain('notifications.channels[3].from: missing');
  });

  it('refuses bad URLs, names, kinds, addresses and short secrets', () => {
    const text = errorsOf(
      load(`notifications:
  channels:
    - { name: a, type: pagerduty, routing_key: k, events_url: "ftp://x" }
    - { name: e, type: email, smtp: { host: h }, from: f, to: [not-an-address] }
    - { name: "bad name", type: slack, url: "hooks.example/path", events: [review.approved] }
    - { name: w, type: webhook, url: "https://x.example", secret: short }
`),
    );
    expect(text).toContain('notifications.channels[0].events_url: expected a URL');
    expect(text).toContain('notifications.channels[1].to[0]');
    expect(text).toContain('notifications.channels[2].name');
    expect(text).toContain('notifications.channels[2].url: expected a URL');
    expect(text).toContain('notifications.channels[2].events[0]');
    expect(text).toContain('notifications.channels[3].secret: expected at least 16 characters');
    expect(text).not.toContain('short');
    expect(text).not.toContain('hooks.example/path');
  });

  it('refuses fields of another type, duplicate names and half a login', () => {
    const text = errorsOf(
      load(`notifications:
  channels:
    - { name: a, type: slack, url: "https://hooks.example", routing_key: k }
    - { name: a, type: pagerduty, routing_key: k }
    - { name: e, type: email, smtp: { host: h, user: u }, from: f, to: [ops@example.com] }
`),
    );
    expect(text).toContain('notifications.channels[0].routing_key: not a setting of a slack channel');
    expect(text).toContain('notifications.channels[1].name: a is used by another channel');
    expect(text).toContain(
      'notifications.channels[2].smtp.password: missing; SMTP authentication needs both',
    );
  });

  it('never shows a channel secret in a problem', () => {
    const text = errorsOf(
      load(everyType.replace('queue_size: 50', 'queue_size: 0'), {
        ...environment,
        SLACK_WEBHOOK_URL: slackUrl.replace('https://', 'hxxps://'),
      }),
    );
    expect(text).toContain('notifications.channels[0].url');
    expect(text).toContain('notifications.queue_size');
    for (const secret of [slackUrl.slice(8), 'slackSecretPart0123']) expect(text).not.toContain(secret);
  });
});

describe('notification secrets', () => {
  const config = configOf(load(everyType, environment));

  it('are masked in the configuration shown: a webhook URL as its origin only', () => {
    const shown = maskedConfig(config).notifications.channels;
    expect(shown[0]?.url).toBe('https://hooks.slack.com/****');
    expect(shown[1]?.url).toBe('https://siem.example.com/****');
    expect(shown[1]?.secret).toBe('hoo...6789');
    expect(shown[2]?.routing_key).toBe('pd-...CDEF');
    expect(shown[3]?.smtp?.password).toBe('smt...4321');
    expect(shown[3]?.smtp?.user).toBe('gatehouse');
    const text = JSON.stringify(maskedConfig(config));
    for (const secret of [slackUrl, 'slackSecretPart', 'token=abc', hookSecret, routingKey, smtpPassword])
      expect(text).not.toContain(secret);
  });

  it('are taken out of any text the gateway shows or logs', () => {
    const secrets = configuredSecrets(config);
    for (const secret of [
      slackUrl,
      'https://siem.example.com/hook?token=abc',
      hookSecret,
      routingKey,
      smtpPassword,
    ])
      expect(secrets).toContain(secret);
  });
});
