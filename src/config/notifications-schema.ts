import { z } from 'zod';

/**
 * The `notifications:` section (docs/notifications.md): where the gateway tells people about new
 * review items, guard detections and analytics alerts. One flat shape for every channel type, with
 * a `type` saying which fields apply, like `providers`: the schema's introspection (documented
 * paths, `${VAR}` coercion) understands objects, and a channel's rules are checked below with
 * messages that name the field.
 */

export const notificationKinds = ['review.created', 'guard.detection', 'analytics.alert'] as const;
export const notificationChannelTypes = ['slack', 'webhook', 'pagerduty', 'email'] as const;
type ChannelType = (typeof notificationChannelTypes)[number];

const positiveMs = z.number().int().positive();
const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' });

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  /** Unset: 465 with `secure`, else 587. */
  port: z.number().int().min(1).max(65_535).optional(),
  /** TLS from the first byte (port 465); otherwise the connection may be upgraded with STARTTLS. */
  secure: z.boolean().default(false),
  /** Without `secure`: `required` refuses a server that does not offer STARTTLS. */
  starttls: z.enum(['required', 'opportunistic', 'never']).default('required'),
  user: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** A PEM file of the certificate authorities to trust (a private relay's own CA). */
  ca_path: z.string().min(1).optional(),
});

const channelSchema = z.strictObject({
  /** Names the channel in metrics, logs and the test route; never a secret. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
    .max(64),
  type: z.enum(notificationChannelTypes),
  events: z
    .array(z.enum(notificationKinds))
    .min(1)
    .default([...notificationKinds]),
  /** slack, webhook: where to POST. A secret: Slack's incoming-webhook URL is its own credential. */
  url: httpUrl.optional(),
  /** webhook: the HMAC-SHA256 key of `x-gatehouse-signature`. */
  secret: z.string().min(16, 'at least 16 characters').optional(),
  /** pagerduty: the integration key of an Events API v2 integration. */
  routing_key: z.string().min(1).optional(),
  /** pagerduty: every event's severity; unset: by kind (a guard detection's own severity). */
  severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
  /** pagerduty: the `payload.source` of every event. */
  source: z.string().min(1).max(255).optional(),
  /** pagerduty: the Events API v2 endpoint (a proxy, or PagerDuty's EU service region). */
  events_url: httpUrl.optional(),
  /** email: the SMTP server. */
  smtp: smtpSchema.optional(),
  from: z.string().min(1).optional(),
  to: z.array(z.email()).min(1).optional(),
});

type Channel = z.output<typeof channelSchema>;
type ChannelField = Exclude<keyof Channel, 'name' | 'type' | 'events'>;

/** The fields each channel type needs, and the ones it may have. */
const fields: Readonly<Record<ChannelType, { required: ChannelField[]; optional: ChannelField[] }>> = {
  slack: { required: ['url'], optional: [] },
  webhook: { required: ['url', 'secret'], optional: [] },
  pagerduty: { required: ['routing_key'], optional: ['severity', 'source', 'events_url'] },
  email: { required: ['smtp', 'from', 'to'], optional: [] },
};

const allFields: readonly ChannelField[] = [
  'url',
  'secret',
  'routing_key',
  'severity',
  'source',
  'events_url',
  'smtp',
  'from',
  'to',
];

const named = (type: ChannelType): string => (type === 'email' ? 'an email' : `a ${type}`);

type Issue = { readonly path: (string | number)[]; readonly message: string };

function channelProblems(channel: Channel, index: number): Issue[] {
  const issues: Issue[] = [];
  const { required, optional } = fields[channel.type];
  const at = (...rest: (string | number)[]) => ['channels', index, ...rest];
  for (const field of required) {
    if (channel[field] === undefined)
      issues.push({
        path: at(field),
        message: `missing; ${named(channel.type)} channel needs ${required.join(', ')}`,
      });
  }
  for (const field of allFields) {
    if (channel[field] !== undefined && !required.includes(field) && !optional.includes(field))
      issues.push({ path: at(field), message: `not a setting of ${named(channel.type)} channel` });
  }
  const smtp = channel.smtp;
  if (smtp !== undefined && (smtp.user === undefined) !== (smtp.password === undefined)) {
    const missing = smtp.user === undefined ? 'user' : 'password';
    issues.push({
      path: at('smtp', missing),
      message: 'missing; SMTP authentication needs both user and password',
    });
  }
  return issues;
}

export const notificationsSchema = z
  .strictObject({
    channels: z.array(channelSchema).default([]),
    /** Notifications waiting per channel; when full the oldest waiting one is dropped. */
    queue_size: z.number().int().positive().max(100_000).default(1_000),
    retry: z
      .strictObject({
        /** Tries per notification and channel, the first included. */
        attempts: z.number().int().min(1).max(10).default(5),
        /** First wait between tries; doubles per try, with jitter. */
        initial_ms: positiveMs.default(500),
        /** Longest wait between tries, a receiver's Retry-After included. */
        max_ms: positiveMs.default(30_000),
      })
      .prefault({}),
    /** One delivery attempt: connection, request and answer. */
    timeout_ms: positiveMs.max(300_000).default(5_000),
    /** On shutdown, how long waiting notifications may still be delivered. */
    close_timeout_ms: positiveMs.max(300_000).default(5_000),
    /** The gateway's address as people reach it, for links in notifications. */
    public_url: httpUrl.optional(),
  })
  .superRefine((notifications, context) => {
    const seen = new Set<string>();
    notifications.channels.forEach((channel, index) => {
      if (seen.has(channel.name))
        context.addIssue({
          code: 'custom',
          path: ['channels', index, 'name'],
          message: `${channel.name} is used by another channel`,
        });
      seen.add(channel.name);
      for (const issue of channelProblems(channel, index)) context.addIssue({ code: 'custom', ...issue });
    });
  })
  .prefault({});
