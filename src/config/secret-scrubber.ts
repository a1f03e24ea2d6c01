import { credentialTypes, scanText } from '../guard/pii/index.js';
import { isPlainObject, type ConfigPath } from './config-path.js';
import { isSecretField, maskSecret } from './mask.js';
import type { Config } from './schema.js';

/**
 * Takes credentials out of text the gateway did not write (a provider's error message), before it
 * reaches a caller or a log. Providers have been seen quoting the header they received ("header
 * was 'Bearer sk-…'"), so every configured secret is removed verbatim, and anything shaped like a
 * well-known credential is removed too: a key the configuration does not hold (one an OAuth token
 * provider minted, one a proxy added) is still somebody's key. The well-known shapes (OpenAI,
 * Anthropic, AWS, Google, GitHub and Slack keys, JWTs, private keys) are the PII detector's
 * (guard/pii), the one place they are defined; this adds what only the gateway knows: its
 * configured secrets, its own key and grant shapes, and values introduced by an auth label.
 */
export interface SecretScrubber {
  /** For a caller: every secret, configured or of a well-known shape, replaced by `[redacted]`. */
  readonly redact: (text: string) => string;
  /**
   * For the server log: the secrets only the gateway knows (configured ones, its own keys and
   * grant tokens, values after an auth label) shown as `maskSecret` shows them (`sk-...abcd`, so
   * an operator sees which configured key it was). Well-known credential shapes are left to the
   * log's PII masker, which always runs after this and shows them by kind (`[OPENAI_KEY]`).
   */
  readonly mask: (text: string) => string;
}

export const redactedMarker = '[redacted]';

/**
 * Below this length a configured value is not removed verbatim: it would match ordinary words
 * ("test", "local"). Real provider keys are far longer; short ones are still caught by shape.
 */
const shortestScrubbedSecret = 8;

/**
 * Credentials only the gateway's own context identifies. Where a label introduces the value
 * (`Bearer `, `api-key: `) only the value is replaced, so the message still says what kind of
 * credential it quoted. (Letter cases are spelled out: the whole pattern is one case-sensitive
 * expression.) The look-behinds' quantifiers are bounded: an unbounded `\s+` there is re-read at
 * every position of a run of spaces, quadratic in a message that may echo a caller's megabyte.
 */
const credentialShapes: readonly string[] = [
  // Authorization schemes: any token after Bearer / Basic (JWTs, Azure AD tokens, opaque keys).
  String.raw`(?<=\b(?:[Bb]earer|BEARER|[Bb]asic|BASIC)\s{1,4})[\w.~+/=-]{8,}`,
  // A key introduced by its header or field name: Azure's 32-hex `api-key`, Anthropic's `x-api-key`.
  String.raw`(?<=\b(?:[Xx]-)?[Aa][Pp][Ii][-_ ]?[Kk][Ee][Yy](?:\s{0,4}[:=]\s{0,4}|["']\s{0,4}[:=]?\s{0,4}|\s{1,4})["']?)[\w.~+/=-]{16,}`,
  // The gateway's own virtual keys.
  String.raw`\bgh-[A-Za-z0-9_-]{20,}`,
  // The gateway's grant tokens (`gh_grant_<id>_<secret>`; the id alone, `grant_<id>`, is public).
  String.raw`\bgh_grant_[A-Za-z0-9_-]{20,}`,
];

const wellKnownCredentials = new Set(credentialTypes);

interface Span {
  readonly start: number;
  readonly end: number;
}

/** A scrubber for the given secrets (each configured credential, the master key). */
export function createSecretScrubber(secrets: Iterable<string>): SecretScrubber {
  const literal = [...new Set(secrets)]
    .filter((secret) => secret.length >= shortestScrubbedSecret)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((left, right) => right.length - left.length)
    .map(escapeRegExp);
  const pattern = new RegExp([...literal, ...credentialShapes].join('|'), 'g');
  // Every span is replaced once, in one pass over the text, so a masked value (`sk-...abcd`) is
  // never taken for a credential again; where the two finders overlap, their spans are joined.
  const replaceSecrets = (
    text: string,
    replacement: (value: string) => string,
    wellKnown: boolean,
  ): string => {
    const spans = secretSpans(text, pattern, wellKnown);
    if (spans.length === 0) return text;
    let result = '';
    let position = 0;
    for (const span of spans) {
      result += text.slice(position, span.start) + replacement(text.slice(span.start, span.end));
      position = span.end;
    }
    return result + text.slice(position);
  };
  return {
    redact: (text) => replaceSecrets(text, () => redactedMarker, true),
    mask: (text) => replaceSecrets(text, maskSecret, false),
  };
}

/** The configured and gateway-specific secrets, and the well-known credentials, without overlaps. */
function secretSpans(text: string, pattern: RegExp, wellKnown: boolean): Span[] {
  const found: Span[] = [...text.matchAll(pattern)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
  if (wellKnown) found.push(...scanText(text, wellKnownCredentials));
  found.sort((left, right) => left.start - right.start || right.end - left.end);
  const spans: Span[] = [];
  for (const span of found) {
    const previous = spans.at(-1);
    if (previous === undefined || span.start >= previous.end) spans.push(span);
    else if (span.end > previous.end) spans[spans.length - 1] = { start: previous.start, end: span.end };
  }
  return spans;
}

/**
 * Every secret value in the configuration, found by the same field-name rule that masks them for
 * display (`api_key`, `password`, credential-named headers, ...), wherever the field is.
 */
export function configuredSecrets(config: Config): string[] {
  const found: string[] = [];
  const walk = (value: unknown, path: ConfigPath): void => {
    if (typeof value === 'string') {
      if (isSecretField(path)) found.push(value);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => walk(item, [...path, index]));
      return;
    }
    if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    }
  };
  walk(config, []);
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
