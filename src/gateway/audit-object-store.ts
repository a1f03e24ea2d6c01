import type { Config } from '../config/index.js';
import type { OpenedObjectStore, S3Settings } from '../stores/object/s3-settings.js';

type S3Config = NonNullable<Config['audit']['archive']['s3']>;

/** `audit.archive.s3` as the S3 object store takes it. */
export function s3SettingsFrom(s3: S3Config): S3Settings {
  return {
    url: s3.url,
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.force_path_style,
    accessKeyId: s3.access_key_id,
    secretAccessKey: s3.secret_access_key,
    sessionToken: s3.session_token,
    conditionalWrites: s3.conditional_writes,
  };
}

/**
 * The audit archive's object store (`audit.archive.s3`), or undefined when none is configured.
 * `url` (`gatehouse audit export --s3`) points it at another bucket or prefix, with the configured
 * endpoint and credentials, or AWS's defaults when nothing is configured. The S3 client is loaded
 * only then: it weighs about 35 MB of memory, which a gateway without an archive need not carry.
 */
export async function openAuditObjectStore(
  config: Config,
  url?: string,
): Promise<OpenedObjectStore | undefined> {
  const configured = config.audit.archive.s3;
  if (configured === undefined && url === undefined) return undefined;
  const { openS3ObjectStore } = await import('../stores/object/s3-settings.js');
  if (configured !== undefined) return openS3ObjectStore(s3SettingsFrom(configured), url ?? configured.url);
  return openS3ObjectStore({ url: url ?? '', forcePathStyle: false, conditionalWrites: true });
}
