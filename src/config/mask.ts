import type { ValueSource } from './config-error.js';
import { isPlainObject, type ConfigPath } from './config-path.js';
import type { Config } from './schema.js';

/**
 * Secrets are never shown whole: not by `/admin/config`, not by `gatehouse check`, not in a
 * configuration problem. What counts as a secret is decided here, by field name, so a new
 * `*_api_key` or `*_password` setting is masked without anyone remembering to.
 */

const masked = '****';
// Below this length the 7 characters `sk-...abcd` shows would be too large a share of the secret.
const shortestPartlyShown = 20;

/** `sk-proj-abc…xyz9` → `sk-...xyz9`; short values are masked entirely. */
export function maskSecret(value: string): string {
  if (value.length < shortestPartlyShown) return masked;
  return `${value.slice(0, 3)}...${value.slice(-4)}`;
}

const secretFieldName =
  /(^|_)(api_key|master_key|secret_key|secret|password|token|otlp_headers|routing_key)$/i;
const secretHeaderName = /authorization|api-?key|token|secret|password|cookie/i;
const secretParameterName = /^(password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key)$/i;
const secretVariableName = /key|secret|token|password|credential/i;

/** Masks the password (and secret query parameters) of a URL, keeping the rest readable. */
export function maskUrlCredentials(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not a URL (a libpq `key=value` string, or a typo): mask what looks like a credential,
    // including the password of something URL-shaped that failed to parse (a bad port, say).
    return text
      .replace(/^([a-z][\w+.-]*:\/\/[^/@:\s]*:)[^@/\s]*@/i, `$1${masked}@`)
      .replace(/\b(password|passwd|pwd|secret|token|api[-_]?key)=([^&\s]+)/gi, `$1=${masked}`);
  }
  const secretParameters = [...url.searchParams.keys()].filter((name) => secretParameterName.test(name));
  // Rebuilding normalises the URL (a trailing slash appears); a URL without secrets is shown as written.
  if (url.password === '' && secretParameters.length === 0) return text;
  if (url.password !== '') url.password = masked;
  for (const name of secretParameters) url.searchParams.set(name, masked);
  return url.toString();
}

/**
 * A webhook's URL is its credential (Slack's incoming-webhook URL is all it takes to post), so it
 * is a secret whole; only its origin is shown.
 */
export function maskSecretUrl(text: string): string {
  try {
    return `${new URL(text).origin}/${masked}`;
  } catch {
    return maskSecret(text);
  }
}

type SecretTreatment = 'secret' | 'secret_url' | 'url' | 'plain';

function treatmentAt(path: ConfigPath): SecretTreatment {
  const last = path.at(-1);
  if (typeof last !== 'string') return 'plain';
  if (path.at(-2) === 'headers') return secretHeaderName.test(last) ? 'secret' : 'plain';
  if (path[0] === 'notifications' && last === 'url') return 'secret_url';
  if (secretFieldName.test(last)) return 'secret';
  if (last.endsWith('_url')) return 'url';
  return 'plain';
}

/** Whether a field holds a secret whole (a key, a password), as opposed to a URL that may contain one. */
export function isSecretField(path: ConfigPath): boolean {
  const treatment = treatmentAt(path);
  return treatment === 'secret' || treatment === 'secret_url';
}

/** Masks a string for display according to the field it belongs to. */
export function maskForField(path: ConfigPath, value: string): string {
  switch (treatmentAt(path)) {
    case 'secret':
      return maskSecret(value);
    case 'secret_url':
      return maskSecretUrl(value);
    case 'url':
      return maskUrlCredentials(value);
    case 'plain':
      return value;
  }
}

/**
 * Whether a value's origin makes it secret whatever its field: the contents of a mounted secret
 * file, or an environment variable named like a key or password.
 */
export function isSecretSource(source: ValueSource): boolean {
  switch (source.kind) {
    case 'environment':
      return secretVariableName.test(source.variable);
    case 'file':
      return source.references.some(
        (reference) => reference.startsWith('${file:') || secretVariableName.test(reference),
      );
    case 'flag':
    case 'default':
      return false;
  }
}

function maskTree(value: unknown, path: ConfigPath): unknown {
  if (typeof value === 'string') return maskForField(path, value);
  if (Array.isArray(value)) return value.map((item: unknown, index) => maskTree(item, [...path, index]));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, maskTree(item, [...path, key])]),
    );
  }
  return value;
}

/** A copy of the configuration fit for display: every secret masked, everything else as loaded. */
export function maskedConfig(config: Config): Config {
  return maskTree(config, []) as Config;
}
