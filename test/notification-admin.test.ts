import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { rawRequest, type RawResponse } from './support/http.js';
import {
  startHttpReceiver,
  startSmtpReceiver,
  type HttpReceiver,
  type SmtpReceiver,
} from './support/notification-receivers.js';
import { createKey, writeConfigFile } from './support/shared-state.js';

/**
 * A real gateway process (`gatehouse start`) with one channel of each type, its secrets given as
 * environment variables the configuration references: `POST /admin/notifications/test` reaches
 * every channel and reports each outcome, only for operators (401 without a key, 403 for user and
 * agent keys), with clear 4xx for bad bodies; and none of the secrets appears in the process's
 * output, its metrics, its configuration dump or the route's answers.
 */

// Built at run time: nothing secret-shaped lives in the repository.
const slackPath = [
  '/services',
  'T0PROCESS',
  'B0PROCESS',
  ['slack', 'path', 'token', '9876543210'].join(''),
].join('/');
const hookSecret = ['process', 'hook', 'secret', '0123456789'].join('-');
const routingKey = ['PROCESS', 'ROUTING', 'KEY', '0123456789'].join('');
const smtpPassword = ['process', 'smtp', 'password', '24680'].join('-');

let slack: HttpReceiver;
let siem: HttpReceiver;
let broken: HttpReceiver;
let pagerDuty: HttpReceiver;
let smtp: SmtpReceiver;
let gateway: CliProcess & { readonly url: string };
let configPath: string;
let environment: Record<string, string>;
let secrets: string[];
const answers: RawResponse[] = [];

beforeAll(async () => {
  slack = await startHttpReceiver();
  siem = await startHttpReceiver(() => ({ status: 200 }));
  // A receiver that fails, quoting the secret it was sent in its error body.
  broken = await startHttpReceiver(() => ({ status: 500, body: `internal error, secret ${hookSecret}` }));
  pagerDuty = await startHttpReceiver(() => ({ status: 202, body: '{"status":"success"}' }));
  smtp = await startSmtpReceiver({ login: { user: 'gatehouse', password: smtpPassword } });
  environment = {
    SLACK_WEBHOOK_URL: `${slack.url}${slackPath}`,
    SIEM_URL: `${siem.url}/siem`,
    BROKEN_URL: `${broken.url}/broken`,
    HOOK_SECRET: hookSecret,
    PD_ROUTING_KEY: routingKey,
    SMTP_PASSWORD: smtpPassword,
  };
  secrets = [environment.SLACK_WEBHOOK_URL ?? '', slackPath, hookSecret, routingKey, smtpPassword];
  configPath = writeConfigFile({
    log: { level: 'trace' },
    notifications: {
      retry: { attempts: 2, initial_ms: 10, max_ms: 20 },
      close_timeout_ms: 500,
      channels: [
        { name: 'ops-slack', type: 'slack', url: '${SLACK_WEBHOOK_URL}' },
        { name: 'siem', type: 'webhook', url: '${SIEM_URL}', secret: '${HOOK_SECRET}' },
        {
          name: 'oncall',
          type: 'pagerduty',
          routing_key: '${PD_ROUTING_KEY}',
          events_url: `${pagerDuty.url}/v2/enqueue`,
        },
        {
          name: 'security',
          type: 'email',
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            starttls: 'never',
            user: 'gatehouse',
            password: '${SMTP_PASSWORD}',
          },
          from: 'gatehouse@example.com',
          to: ['security@example.com'],
        },
        { name: 'broken', type: 'webhook', url: '${BROKEN_URL}', secret: '${HOOK_SECRET}' },
      ],
    },
  });
  gateway = await startCliGateway({ args: ['--config', configPath], env: environment });
});

afterAll(async () => {
  gateway.kill();
  await gateway.exited;
  await Promise.all([slack.close(), siem.close(), broken.close(), pagerDuty.close(), smtp.close()]);
});

async function test(
  key: string | undefined,
  body?: string,
  contentType = 'application/json',
): Promise<RawResponse> {
  const answer = await rawRequest(`${gateway.url}/admin/notifications/test`, {
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body }),
  });
  answers.push(answer);
  return answer;
}

interface TestAnswer {
  object: string;
  delivered: number;
  failed: number;
  results: { channel: string; type: string; outcome: string; status: number | null; reason: string | null }[];
}

const errorCode = (answer: RawResponse) =>
  (JSON.parse(answer.text) as { error: { code: string } }).error.code;

describe('POST /admin/notifications/test', () => {
  it('sends a test notification to every channel and answers with each outcome', async () => {
    const answer = await test(testMasterKey);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(answer.text) as TestAnswer;
    expect(body).toMatchObject({ object: 'notification_test', delivered: 4, failed: 1 });
    expect(
      body.results.map(({ channel, type, outcome, status }) => ({ channel, type, outcome, status })),
    ).toEqual([
      { channel: 'ops-slack', type: 'slack', outcome: 'delivered', status: 200 },
      { channel: 'siem', type: 'webhook', outcome: 'delivered', status: 200 },
      { channel: 'oncall', type: 'pagerduty', outcome: 'delivered', status: 202 },
      { channel: 'security', type: 'email', outcome: 'delivered', status: null },
      { channel: 'broken', type: 'webhook', outcome: 'failed', status: 500 },
    ]);
    expect(body.results[4]?.reason).toBe('HTTP 500');
    // One try each: the test route does not retry.
    expect(broken.requests).toHaveLength(1);
    expect(slack.requests[0]?.path).toBe(slackPath);
    expect(JSON.parse(siem.requests[0]?.body ?? '{}')).toMatchObject({
      type: 'notification.test',
      data: { requested_by: 'master' },
    });
    expect(JSON.parse(pagerDuty.requests[0]?.body ?? '{}')).toMatchObject({
      routing_key: routingKey,
      payload: { severity: 'info', class: 'notification.test' },
    });
    expect(smtp.mails[0]?.header('subject')).toBe('[Gatehouse] Gatehouse test notification');
    expect(smtp.mails[0]?.user).toBe('gatehouse');
  });

  it('tests one channel when asked', async () => {
    const before = slack.requests.length;
    const answer = await test(testMasterKey, '{"channel":"ops-slack"}');
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.text) as TestAnswer).results.map((result) => result.channel)).toEqual([
      'ops-slack',
    ]);
    expect(slack.requests).toHaveLength(before + 1);
    expect(siem.requests).toHaveLength(1);
  });

  it('is for operators: 401 without a key, 403 for user keys and any key bound to an agent', async () => {
    const user = await createKey(gateway.url, testMasterKey, { name: 'a-user' });
    const agent = await createKey(gateway.url, testMasterKey, { name: 'an-agent', agent_id: 'invoice-bot' });
    const adminAgent = await createKey(gateway.url, testMasterKey, {
      name: 'an-admin-agent',
      role: 'admin',
      agent_id: 'ops-bot',
    });
    const admin = await createKey(gateway.url, testMasterKey, { name: 'an-admin', role: 'admin' });
    const before = slack.requests.length;
    expect((await test(undefined)).status).toBe(401);
    expect((await test('gh-not-a-real-key-0123456789abcdef')).status).toBe(401);
    for (const key of [user, agent, adminAgent]) {
      const refused = await test(key.secret);
      expect(refused.status).toBe(403);
      expect(errorCode(refused)).toBe('permission_denied');
    }
    expect(slack.requests).toHaveLength(before);
    const allowed = await test(admin.secret, '{"channel":"ops-slack"}');
    expect(allowed.status).toBe(200);
    expect(JSON.parse(slack.requests.at(-1)?.body ?? '{}').blocks[1].fields[0].text).toBe(
      `*Requested by*\n${admin.id}`,
    );
  });

  it('answers bad bodies with a 4xx naming the problem', async () => {
    const cases: [string | undefined, string, number, string | undefined][] = [
      ['[]', 'application/json', 400, 'invalid_request'],
      ['"ops-slack"', 'application/json', 400, 'invalid_request'],
      ['{"channel": 5}', 'application/json', 400, 'invalid_request'],
      ['{"channel": ""}', 'application/json', 400, 'invalid_request'],
      [`{"channel": "${'x'.repeat(65)}"}`, 'application/json', 400, 'invalid_request'],
      ['{"chanel": "ops-slack"}', 'application/json', 400, 'invalid_request'],
      ['{"channel": "nope"}', 'application/json', 404, 'not_found'],
      ['{"channel":', 'application/json', 400, undefined],
      ['channel=ops-slack', 'text/plain', 415, undefined],
    ];
    for (const [body, contentType, status, code] of cases) {
      const answer = await test(testMasterKey, body, contentType);
      expect(answer.status, body).toBe(status);
      if (code !== undefined) expect(errorCode(answer), body).toBe(code);
      expect(answer.text).not.toMatch(/at \w+ \(|node:internal/);
    }
    const unknown = await test(testMasterKey, '{"chanel": "ops-slack"}');
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { param: 'chanel' } });
  });
});

describe('secrets', () => {
  it('appear nowhere: output, metrics, configuration dump, answers', async () => {
    const metrics = await rawRequest(`${gateway.url}/metrics`, {
      method: 'GET',
      headers: { authorization: `Bearer ${testMasterKey}` },
    });
    expect(metrics.text).toContain('gatehouse_notifications_total{channel="broken",outcome="failed"} 1');
    const config = await rawRequest(`${gateway.url}/admin/config`, {
      method: 'GET',
      headers: { authorization: `Bearer ${testMasterKey}` },
    });
    const channels = (JSON.parse(config.text) as { notifications: { channels: Record<string, unknown>[] } })
      .notifications.channels;
    expect(channels[0]?.url).toBe(`${slack.url}/****`);
    expect(channels[1]?.secret).toBe('pro...6789');
    expect(channels[2]?.routing_key).toBe('PRO...6789');
    // The failure was logged (so the log is not empty of what matters) without its URL or the echo.
    await gateway.waitForLog(
      (record) => record.msg === 'notification not delivered' && record.channel === 'broken',
    );
    await gateway.waitForLog(
      (record) => record.msg === 'admin action' && record.action === 'notifications.test',
    );
    const everything = [
      gateway.stdout(),
      gateway.stderr(),
      metrics.text,
      config.text,
      ...answers.map((answer) => answer.text),
    ].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(everything).not.toContain(`${broken.url}/broken`);
  });

  it('stay masked in configuration problems shown by gatehouse check', async () => {
    const badPath = writeConfigFile({
      notifications: {
        channels: [
          { name: 'a', type: 'slack', url: '${SLACK_WEBHOOK_URL}' },
          { name: 'b', type: 'webhook', url: '${SIEM_URL}', secret: '${HOOK_SECRET}' },
        ],
      },
    });
    const result = await runCli(['check', '--config', badPath], {
      env: {
        ...environment,
        SLACK_WEBHOOK_URL: `slack-no-scheme${slackPath}`,
        HOOK_SECRET: 'too-short-secret'.slice(0, 12),
      },
    });
    expect(result.code).toBe(2);
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('notifications.channels[0].url');
    expect(output).toContain('notifications.channels[1].secret: expected at least 16 characters');
    for (const secret of [slackPath, 'too-short-se']) expect(output).not.toContain(secret);
  });
});
