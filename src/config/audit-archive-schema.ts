import { z } from 'zod';

/**
 * The `audit:` keys for export, checkpoints and retention (docs/governance.md, "Export, checkpoints
 * and retention"), spread into the `audit` section. The object store is S3 or S3-compatible; its
 * credentials are optional (absent: the AWS SDK's default chain) and masked wherever the
 * configuration is shown (`secret_access_key`, `session_token`).
 */

const s3Url = z
  .string()
  .regex(
    /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/,
    'expected s3://bucket or s3://bucket/prefix (a bucket name is 3–63 lowercase letters, digits, dots and hyphens)',
  );

const s3Schema = z
  .strictObject({
    /** `s3://bucket/prefix`: archives under `prefix/archive/`, checkpoints under `prefix/checkpoints/`. */
    url: s3Url,
    /** An S3-compatible server (MinIO, Ceph, R2, …); absent: AWS S3. */
    endpoint: z.url().optional(),
    /** Absent: AWS_REGION or the profile's; with an `endpoint`, us-east-1. */
    region: z.string().min(1).optional(),
    /** `bucket.host/key` (virtual-hosted, AWS's default) or `host/bucket/key` (most S3-compatible servers). */
    force_path_style: z.boolean().default(false),
    /** With `secret_access_key`; both absent: the AWS SDK's default credential chain. */
    access_key_id: z.string().min(1).optional(),
    secret_access_key: z.string().min(1).optional(),
    session_token: z.string().min(1).optional(),
    /** Send `If-None-Match: *` so the store itself refuses to replace an object; off for servers that reject it. */
    conditional_writes: z.boolean().default(true),
  })
  .refine((s3) => (s3.access_key_id === undefined) === (s3.secret_access_key === undefined), {
    message: 'access_key_id and secret_access_key go together (or neither, for the default credential chain)',
    path: ['secret_access_key'],
  });

export const auditArchiveFields = {
  /** Records appended longer ago are archived (when `archive.s3` is set) and then deleted; absent: kept for ever. */
  retention_days: z.number().int().positive().optional(),
  /** How often each gateway looks for records past retention (one replica at a time does the work). */
  retention_check_minutes: z.number().int().positive().default(60),
  checkpoints: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** A checkpoint each time the log grows past a multiple of this many records. */
      every_records: z.number().int().positive().default(10_000),
      /** And in each such interval in which records were appended. */
      every_minutes: z.number().int().positive().default(60),
    })
    .prefault({}),
  archive: z
    .strictObject({
      s3: s3Schema.optional(),
      /** Records per archive object (one gzip NDJSON object per range, named by its sequence numbers). */
      records_per_object: z.number().int().positive().max(10_000_000).default(100_000),
    })
    .prefault({}),
};
