import { createTransport } from 'nodemailer';
import type { DeliveryResult, NotificationChannel } from './channel.js';
import type { Notification, NotificationKind } from './notification.js';
import { clip, present, type Presentation } from './presentation.js';

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465). */
  readonly secure: boolean;
  /** Without `secure`: whether to upgrade with STARTTLS (`required` refuses a server without it). */
  readonly starttls: 'required' | 'opportunistic' | 'never';
  readonly auth: { readonly user: string; readonly password: string } | undefined;
  /** PEM certificate authorities to trust besides the system's (a private relay's CA). */
  readonly ca: string | undefined;
}

export interface EmailChannelOptions {
  readonly name: string;
  readonly events: ReadonlySet<NotificationKind>;
  readonly smtp: SmtpSettings;
  readonly from: string;
  readonly to: readonly string[];
  readonly publicUrl: string | undefined;
  /** Connection, greeting and socket inactivity, each. */
  readonly timeoutMs: number;
}

/** Plain text: the headline, the fields one per line, the link, the notification's id and time. */
export function emailText(notification: Notification, presentation: Presentation): string {
  return [
    presentation.title,
    '',
    ...presentation.fields.map(([label, value]) => `${label}: ${value}`),
    ...(presentation.link === undefined ? [] : ['', `Open in Gatehouse: ${presentation.link}`]),
    '',
    `Notification ${notification.id} (${notification.kind}), ${notification.occurredAt}.`,
  ].join('\n');
}

/** A subject is one header line: values from agents' requests could carry a line break. */
export function emailSubject(presentation: Presentation): string {
  return clip(`[Gatehouse] ${presentation.title}`.replace(/[\r\n\t]+/g, ' '), 200);
}

/**
 * A failed send as a delivery result. SMTP says itself what is temporary: a 4xx reply (greylisting,
 * a full mailbox, a busy server) is, a 5xx is not; so is a refused login or a TLS requirement the
 * server cannot meet. Connection trouble without a reply is worth another try.
 */
export function resultOfSmtpError(error: unknown): DeliveryResult {
  const details = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
  };
  const code = typeof details.code === 'string' ? details.code : 'ESMTP';
  const status = typeof details.responseCode === 'number' ? details.responseCode : undefined;
  const reply =
    typeof details.response === 'string' ? `: ${clip(details.response.replace(/\s+/g, ' '), 200)}` : '';
  const reason = `SMTP ${status === undefined ? code : `${status} ${code}`}${reply}`;
  if (status !== undefined && status >= 500) return { type: 'refused', reason, status };
  if (
    ['EAUTH', 'ENOAUTH', 'ETLS', 'EENVELOPE', 'ECONFIG'].includes(code) &&
    (status === undefined || status >= 500)
  )
    return { type: 'refused', reason, status };
  return { type: 'retryable', reason, status };
}

/** Email over SMTP with nodemailer; one connection per message (notifications are rare). */
export function createEmailChannel(options: EmailChannelOptions): NotificationChannel {
  const { smtp, timeoutMs } = options;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && smtp.starttls === 'required',
    ignoreTLS: !smtp.secure && smtp.starttls === 'never',
    ...(smtp.auth === undefined ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.password } }),
    ...(smtp.ca === undefined ? {} : { tls: { ca: smtp.ca } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Messages are built from text only: nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    name: options.name,
    type: 'email',
    events: options.events,
    async deliver(notification) {
      const presentation = present(notification, options.publicUrl);
      try {
        await transport.sendMail({
          from: options.from,
          to: [...options.to],
          subject: emailSubject(presentation),
          text: emailText(notification, presentation),
          headers: { 'X-Gatehouse-Notification': notification.id, 'X-Gatehouse-Event': notification.kind },
        });
        return { type: 'delivered' };
      } catch (error) {
        return resultOfSmtpError(error);
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
