import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

/**
 * A real S3-compatible server for tests: fauxqs (in memory) in this process on a free loopback
 * port, with one bucket. It accepts any credentials; the ones here are made up at run time.
 */
export interface TestS3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly bucket: string;
  /** A client of this server (path-style addressing, made-up credentials). */
  readonly client: S3Client;
  /** `audit.archive.s3` for a gateway using this server, under `prefix`. */
  settings(prefix: string): S3TestSettings;
  /** Every key under `prefix`, in key order. */
  keys(prefix?: string): Promise<string[]>;
  bytes(key: string): Promise<Buffer>;
  text(key: string): Promise<string>;
  /** The object's bytes, gunzipped, as text. */
  gunzipped(key: string): Promise<string>;
  stop(): Promise<void>;
}

export interface S3TestSettings {
  readonly url: string;
  readonly endpoint: string;
  readonly region: string;
  readonly force_path_style: true;
  readonly access_key_id: string;
  readonly secret_access_key: string;
}

export async function startTestS3Server(): Promise<TestS3Server> {
  const server: FauxqsServer = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  // Bucket names are 3–63 lowercase letters, digits and hyphens.
  const bucket = `audit-${randomBytes(4).toString('hex')}`;
  server.createBucket(bucket);
  const endpoint = `http://127.0.0.1:${server.port}`;
  const accessKeyId = `test-${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(16).toString('hex');
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  const bytes = async (key: string): Promise<Buffer> => {
    const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (answer.Body === undefined) throw new Error(`no body for ${key}`);
    return Buffer.from(await answer.Body.transformToByteArray());
  };
  return {
    endpoint,
    bucket,
    client,
    settings: (prefix) => ({
      url: `s3://${bucket}/${prefix}`,
      endpoint,
      region: 'us-east-1',
      force_path_style: true,
      access_key_id: accessKeyId,
      secret_access_key: secretAccessKey,
    }),
    async keys(prefix = '') {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    bytes,
    text: async (key) => (await bytes(key)).toString('utf8'),
    gunzipped: async (key) => gunzipSync(await bytes(key)).toString('utf8'),
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
