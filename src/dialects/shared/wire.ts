import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors/index.js';
import { isRecord } from './validation.js';

/** Lenient readers for bodies already validated (requests) or produced by an upstream (responses). */
export function readString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function readBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function readNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A token count: anything but a non-negative finite number counts as 0. */
export function readCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

export function readRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function readArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as readonly unknown[]) : [];
}

type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;
export type Compacted<T> = { [K in RequiredKeys<T>]: T[K] } & {
  [K in OptionalKeys<T>]?: Exclude<T[K], undefined>;
};

/**
 * Drops `undefined` properties, so optional fields are absent rather than `undefined`: the wire
 * must not carry them and `exactOptionalPropertyTypes` forbids them in canonical values.
 */
export function compact<T extends object>(value: T): Compacted<T> {
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) result[key] = entry;
  return result as Compacted<T>;
}

/** One complete server-sent event; `JSON.stringify` never emits a raw newline, so one data line. */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
}

/** The JSON of one upstream stream event; a malformed one is the upstream's fault. */
export function parseEventData(data: string, provider: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (error) {
    throw new GatewayError('upstream_invalid_response', `${provider} sent a stream event that is not JSON`, {
      cause: error,
    });
  }
  if (!isRecord(parsed)) {
    throw new GatewayError(
      'upstream_invalid_response',
      `${provider} sent a stream event that is not an object`,
    );
  }
  return parsed;
}

export function invalidResponse(provider: string, what: string): GatewayError {
  return new GatewayError('upstream_invalid_response', `${provider} sent a malformed response: ${what}`);
}

/** Unix seconds, for dialects that carry a creation time when the other side has none. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Re-prefixes a response id for the other dialect (`msg_X` ↔ `chatcmpl-X`), keeping the provider's
 * part so the id still leads back to the upstream's logs.
 */
export function withIdPrefix(id: string, prefix: string, foreignPrefixes: readonly string[]): string {
  if (id.startsWith(prefix)) return id;
  const foreign = foreignPrefixes.find((candidate) => id.startsWith(candidate));
  const core = foreign === undefined ? id : id.slice(foreign.length);
  return `${prefix}${core === '' ? randomUUID().replaceAll('-', '') : core}`;
}

/** A request feature the other dialect cannot express; refused rather than silently dropped. */
export function untranslatable(param: string, what: string): GatewayError {
  return new GatewayError(
    'invalid_request',
    `${param}: ${what} cannot be translated for a model that speaks the other API dialect`,
    { param },
  );
}
