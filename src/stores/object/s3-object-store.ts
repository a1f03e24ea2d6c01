import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AuditObjectStore, PutOutcome } from '../../governance/audit/index.js';
import { putObject, uploadStream, type UploadTarget } from './s3-upload.js';

export interface S3ObjectStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Every key is put under it (`audit/prod` → `audit/prod/checkpoints/…`); empty: the bucket's root. */
  readonly prefix: string;
  /** Send `If-None-Match: *` on writes (see UploadTarget); off for servers that reject it. */
  readonly conditionalWrites: boolean;
}

/** An S3 error's HTTP status, when it has one. */
function statusOf(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return metadata?.httpStatusCode;
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

/** Stops a body that will not be sent (so a stream's source is not left half read). */
function discard(body: Uint8Array | AsyncIterable<Uint8Array>): void {
  if (body instanceof Readable) body.destroy();
}

/** The audit archive's object store on S3 or an S3-compatible server. */
export function createS3ObjectStore(options: S3ObjectStoreOptions): AuditObjectStore {
  const { client, bucket } = options;
  const base = options.prefix.replace(/^\/+|\/+$/g, '');
  const fullKey = (key: string): string => (base === '' ? key : `${base}/${key}`);

  async function exists(key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  return {
    location: base === '' ? `s3://${bucket}` : `s3://${bucket}/${base}`,

    async putNew(key, body, contentType): Promise<PutOutcome> {
      const target: UploadTarget = {
        client,
        bucket,
        key: fullKey(key),
        contentType,
        ifNoneMatch: options.conditionalWrites,
      };
      if (await exists(target.key)) {
        discard(body);
        return 'exists';
      }
      try {
        if (body instanceof Uint8Array) await putObject(target, body);
        else await uploadStream(target, body);
      } catch (error) {
        // Written meanwhile by someone else: the conditional write refused to replace it.
        if (statusOf(error) === 412) return 'exists';
        throw error;
      }
      return 'written';
    },

    async read(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: fullKey(key) }));
        const body = answer.Body;
        if (body === undefined) return undefined;
        return body as unknown as AsyncIterable<Uint8Array>;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async *list(prefix) {
      const start = fullKey(prefix);
      const strip = base === '' ? 0 : base.length + 1;
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: start, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) yield object.Key.slice(strip);
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },
  };
}
