import { GatewayError } from '../../errors/index.js';

/**
 * What the policy routes need from governance, declared structurally so http/ imports no feature
 * module (governance's PolicyRegistry satisfies it).
 */
export interface StoredPolicyVersion {
  readonly version: number;
  readonly text?: string;
  readonly digest: string;
  readonly authorKeyId: string | undefined;
  readonly createdAt: number;
  readonly comment: string | undefined;
  readonly restoredFrom: number | undefined;
}

export type PolicyChangeOutcome =
  | {
      readonly type: 'stored';
      readonly version: StoredPolicyVersion;
      readonly previous: StoredPolicyVersion | undefined;
    }
  | { readonly type: 'stale'; readonly current: StoredPolicyVersion | undefined }
  | { readonly type: 'invalid'; readonly message: string }
  | { readonly type: 'unknown_version'; readonly version: number };

interface ChangeOptions {
  readonly ifMatch: string | undefined;
  readonly authorKeyId: string | undefined;
  readonly comment: string | undefined;
}

export interface PolicyOperations {
  current(): Promise<StoredPolicyVersion | undefined>;
  version(version: number): Promise<StoredPolicyVersion | undefined>;
  versions(): Promise<readonly StoredPolicyVersion[]>;
  validate(
    text: string,
  ):
    | { readonly type: 'valid'; readonly digest: string; readonly policyIds: readonly string[] }
    | { readonly type: 'invalid'; readonly message: string };
  put(text: string, options: ChangeOptions): Promise<PolicyChangeOutcome>;
  rollback(version: number, options: ChangeOptions): Promise<PolicyChangeOutcome>;
}

type Parsed<T> = ({ readonly type: 'ok' } & T) | { readonly type: 'rejected'; readonly error: GatewayError };

/** Comments are for people reading the history; longer ones are refused rather than cut. */
const maxCommentLength = 1_000;

/** A policy body: the text itself (`text/plain`), or JSON `{ policy, comment? }`. */
export function parsePolicyBody(
  body: unknown,
  query: unknown,
): Parsed<{ readonly policy: string; readonly comment: string | undefined }> {
  if (typeof body === 'string')
    return withComment(body, (query as { comment?: unknown } | undefined)?.comment);
  if (typeof body !== 'object' || body === null) {
    return rejected('Send the policy as text/plain, or as JSON { "policy": "…" }.', 'policy');
  }
  const { policy, comment, ...others } = body as Record<string, unknown>;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined)
    return rejected(`Unknown field "${unknown}"; expected policy and comment.`, unknown);
  if (typeof policy !== 'string')
    return rejected('"policy" must be a string holding the Cedar policy text.', 'policy');
  return withComment(policy, comment);
}

function withComment(
  policy: string,
  comment: unknown,
): Parsed<{ policy: string; comment: string | undefined }> {
  if (comment === undefined) return { type: 'ok', policy, comment: undefined };
  if (typeof comment !== 'string' || comment.length > maxCommentLength) {
    return rejected(`"comment" must be a string of at most ${maxCommentLength} characters.`, 'comment');
  }
  return { type: 'ok', policy, comment };
}

/** `{ "version": <n>, "comment"?: "…" }` */
export function parseRollbackBody(
  body: unknown,
): Parsed<{ readonly version: number; readonly comment: string | undefined }> {
  if (typeof body !== 'object' || body === null)
    return rejected('Send JSON { "version": <number> }.', 'version');
  const { version, comment, ...others } = body as Record<string, unknown>;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined)
    return rejected(`Unknown field "${unknown}"; expected version and comment.`, unknown);
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    return rejected(
      '"version" must be a positive integer, a version listed by GET /v1/policy/versions.',
      'version',
    );
  }
  const checked = withComment('', comment);
  return checked.type === 'rejected' ? checked : { type: 'ok', version, comment: checked.comment };
}

function rejected(
  message: string,
  param: string,
): { readonly type: 'rejected'; readonly error: GatewayError } {
  return { type: 'rejected', error: new GatewayError('invalid_request', message, { param }) };
}

/** A version as the API shows it (snake_case, times in ISO 8601); the text only when asked. */
export function versionView(version: StoredPolicyVersion, withText: boolean): Record<string, unknown> {
  return {
    version: version.version,
    digest: version.digest,
    ...(withText ? { policy: version.text ?? '' } : {}),
    author_key_id: version.authorKeyId ?? null,
    created_at: new Date(version.createdAt).toISOString(),
    comment: version.comment ?? null,
    restored_from: version.restoredFrom ?? null,
  };
}
