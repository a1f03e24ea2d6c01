import { createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';

/**
 * The shape of virtual keys. A secret is `gh-` and 43 base64url characters (32 random bytes, 256
 * bits), so it can be recognised cheaply: anything else is refused before any lookup, and a flood of
 * garbage never reaches the cache or the database.
 */

export type RandomBytes = (size: number) => Buffer;

export interface KeyMaterial {
  /** The secret, shown once to whoever created the key and never stored. */
  readonly secret: string;
  readonly id: string;
  /** SHA-256 of the secret, hex: what is stored and looked up. */
  readonly hash: string;
  /** Enough of the secret to recognise it in a list, far too little to guess the rest. */
  readonly prefix: string;
}

const keyPattern = /^gh-[A-Za-z0-9_-]{43}$/;
const keyIdPattern = /^key_[0-9a-f]{16}$/;
const prefixLength = 10;

export function generateKeyMaterial(randomBytes: RandomBytes = cryptoRandomBytes): KeyMaterial {
  const secret = `gh-${randomBytes(32).toString('base64url')}`;
  return {
    secret,
    id: `key_${randomBytes(8).toString('hex')}`,
    hash: hashKey(secret),
    prefix: secret.slice(0, prefixLength),
  };
}

/** Whether `text` has a virtual key's shape; the master key is compared separately, whatever its shape. */
export function isWellFormedKey(text: string): boolean {
  return text.length === 46 && keyPattern.test(text);
}

export function isWellFormedKeyId(text: string): boolean {
  return keyIdPattern.test(text);
}

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
