/**
 * What the audit archive needs from an object store (S3 or S3-compatible; `stores/object`
 * implements it). Keys are relative to the configured prefix. Nothing here ever overwrites an
 * object: archives, checkpoints and exports are evidence, so a second write under the same key is
 * reported, not performed.
 */
export interface AuditObjectStore {
  /** Where the objects go, for messages and records: `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * Writes an object unless one exists under `key`; `exists` (and nothing written) when one does.
   * A stream body is uploaded as it comes (in parts, holding one part in memory), never whole.
   */
  putNew(key: string, body: Uint8Array | AsyncIterable<Uint8Array>, contentType: string): Promise<PutOutcome>;
  /** The object's bytes as they come; undefined when there is none under `key`. */
  read(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** The keys under `prefix`, in key order (each page fetched as it is needed). */
  list(prefix: string): AsyncIterable<string>;
}

export type PutOutcome = 'written' | 'exists';

/** The full address of an object, for messages: `s3://bucket/prefix/key`. */
export function objectAddress(store: AuditObjectStore, key: string): string {
  return `${store.location.replace(/\/$/, '')}/${key}`;
}

/** Reads a small object whole (a checkpoint); undefined when absent. */
export async function readSmallObject(store: AuditObjectStore, key: string): Promise<string | undefined> {
  const body = await store.read(key);
  if (body === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
