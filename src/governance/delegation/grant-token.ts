import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The secret of a grant: `gh_grant_<16 hex>_<43 base64url>`. The hex part is the grant's public
 * id (`grant_<16 hex>`), so a token is found by its id without the secret steering the lookup;
 * the whole token's SHA-256 is what is stored, and it is compared in constant time. The base64url
 * part is 32 random bytes (256 bits). The prefix makes a leaked token recognisable (the secret
 * scrubber masks the shape) and tells it from a virtual key (`gh-…`) at a glance.
 */

export type RandomBytes = (size: number) => Buffer;

export const grantTokenPrefix = 'gh_grant_';
const tokenPattern = /^gh_grant_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;
const grantIdPattern = /^grant_[0-9a-f]{16}$/;
const tokenLength = grantTokenPrefix.length + 16 + 1 + 43;

export interface GrantTokenMaterial {
  /** Shown once, to whoever asked for the grant; never stored. */
  readonly token: string;
  readonly id: string;
  /** SHA-256 of the token, hex: what is stored. */
  readonly hash: string;
}

export function newGrantToken(randomBytes: RandomBytes = cryptoRandomBytes): GrantTokenMaterial {
  const idHex = randomBytes(8).toString('hex');
  const token = `${grantTokenPrefix}${idHex}_${randomBytes(32).toString('base64url')}`;
  return { token, id: `grant_${idHex}`, hash: grantTokenHash(token).toString('hex') };
}

/** Whether `text` is meant as a grant token (well formed or not): it is then never a key. */
export function looksLikeGrantToken(text: string): boolean {
  return text.startsWith(grantTokenPrefix);
}

/** The grant id a well-formed token names; undefined for anything else. */
export function grantIdOf(token: string): string | undefined {
  if (token.length !== tokenLength) return undefined;
  const match = tokenPattern.exec(token);
  return match?.[1] === undefined ? undefined : `grant_${match[1]}`;
}

export function isGrantId(text: string): boolean {
  return grantIdPattern.test(text);
}

export function grantTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Whether `token` is the one whose hash was stored. Both sides are 32-byte digests, so
 * `timingSafeEqual` compares equal lengths and takes the same time wherever they differ.
 */
export function tokenMatches(token: string, storedHashHex: string): boolean {
  const stored = Buffer.from(storedHashHex, 'hex');
  const presented = grantTokenHash(token);
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
