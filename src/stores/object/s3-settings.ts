import { S3Client } from '@aws-sdk/client-s3';
import type { AuditObjectStore } from '../../governance/audit/index.js';
import { createS3ObjectStore } from './s3-object-store.js';

/** An S3 (or S3-compatible) object store as the configuration describes it (`audit.archive.s3`). */
export interface S3Settings {
  /** `s3://bucket/prefix` (the prefix may be empty). */
  readonly url: string;
  /** An S3-compatible server's address (MinIO, R2, Ceph…); absent: AWS. */
  readonly endpoint?: string | undefined;
  /** Absent: the AWS SDK's own resolution (AWS_REGION, the profile). */
  readonly region?: string | undefined;
  readonly forcePathStyle: boolean;
  /** Both or neither; neither: the AWS SDK's default credential chain (environment, profile, IAM role). */
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly sessionToken?: string | undefined;
  readonly conditionalWrites: boolean;
}

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** `s3://bucket/some/prefix` → its bucket and prefix; undefined when it is not such a URL. */
export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (match === null) return undefined;
  return { bucket: match[1] ?? '', prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

export interface OpenedObjectStore {
  readonly store: AuditObjectStore;
  /** Closes the client's connections. */
  close(): void;
}

/** Builds the client and the store; `url` replaces the settings' bucket and prefix when given. */
export function openS3ObjectStore(settings: S3Settings, url: string = settings.url): OpenedObjectStore {
  const location = parseS3Url(url);
  if (location === undefined) throw new Error(`not an s3://bucket/prefix URL: ${url}`);
  const { accessKeyId, secretAccessKey, sessionToken } = settings;
  const client = new S3Client({
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    // An S3-compatible server rarely cares about the region, but the request signature names one.
    ...(settings.region === undefined
      ? settings.endpoint === undefined
        ? {}
        : { region: 'us-east-1' }
      : { region: settings.region }),
    forcePathStyle: settings.forcePathStyle,
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken === undefined ? {} : { sessionToken }),
          },
        }),
    // A stalled store fails an upload (nothing is deleted) instead of holding retention for ever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
  return {
    store: createS3ObjectStore({
      client,
      bucket: location.bucket,
      prefix: location.prefix,
      conditionalWrites: settings.conditionalWrites,
    }),
    close: () => client.destroy(),
  };
}
