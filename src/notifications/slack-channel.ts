import type { NotificationChannel } from './channel.js';
import type { HttpPost } from './http-post.js';
import type { Notification, NotificationKind } from './notification.js';
import { present, type Presentation } from './presentation.js';

export interface SlackChannelOptions {
  readonly name: string;
  readonly events: ReadonlySet<NotificationKind>;
  /** The incoming-webhook URL: a secret (whoever has it can post to the channel). */
  readonly url: string;
  readonly publicUrl: string | undefined;
  readonly post: HttpPost;
}

/**
 * Slack's control characters (https://api.slack.com/reference/surfaces/formatting#escaping): values
 * come from agents' requests, and an unescaped `<!channel>` or `<https://…|text>` in an action name
 * would page a whole channel or dress up a link.
 */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Escaped, then clipped without cutting an entity in half (a header is at most 150 characters). */
function escapedWithin(text: string, longest: number): string {
  const escaped = escapeSlack(text);
  if (escaped.length <= longest) return escaped;
  return `${escaped.slice(0, longest - 1).replace(/&[a-z]*$/, '')}…`;
}

/** Block Kit: a header, the fields (at most 10 per section), a link, and the id and time. */
export function slackMessage(notification: Notification, presentation: Presentation): object {
  const fields = presentation.fields.map(([label, value]) => ({
    type: 'mrkdwn',
    text: `*${escapeSlack(label)}*\n${escapeSlack(value)}`,
  }));
  const sections = [];
  for (let start = 0; start < fields.length; start += 10)
    sections.push({ type: 'section', fields: fields.slice(start, start + 10) });
  const link =
    presentation.link === undefined
      ? []
      : [{ type: 'section', text: { type: 'mrkdwn', text: `<${presentation.link}|Open in Gatehouse>` } }];
  return {
    // Shown in notifications and by clients that do not render blocks.
    text: escapeSlack(presentation.title),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: escapedWithin(presentation.title, 150) } },
      ...sections,
      ...link,
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: escapeSlack(`${notification.kind} · ${notification.id} · ${notification.occurredAt}`),
          },
        ],
      },
    ],
  };
}

/** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat take the same JSON). */
export function createSlackChannel(options: SlackChannelOptions): NotificationChannel {
  return {
    name: options.name,
    type: 'slack',
    events: options.events,
    deliver: (notification, signal) =>
      options.post(
        {
          url: options.url,
          headers: {},
          body: JSON.stringify(slackMessage(notification, present(notification, options.publicUrl))),
        },
        signal,
      ),
    close: () => Promise.resolve(),
  };
}
