import { describe, expect, it } from 'vitest';
import {
  grantIdOf,
  grantTokenHash,
  isGrantId,
  looksLikeGrantToken,
  newGrantToken,
  tokenMatches,
} from './grant-token.js';

describe('grant tokens', () => {
  it('are gh_grant_, the id’s 16 hex digits and 256 random bits, and name their id', () => {
    const material = newGrantToken();
    expect(material.token).toMatch(/^gh_grant_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(material.id).toMatch(/^grant_[0-9a-f]{16}$/);
    expect(grantIdOf(material.token)).toBe(material.id);
    expect(isGrantId(material.id)).toBe(true);
    expect(material.hash).toBe(grantTokenHash(material.token).toString('hex'));
    expect(material.hash).not.toContain(material.token.slice(-43));
    expect(newGrantToken().token).not.toBe(material.token);
  });

  it('are built from the random source given: 8 bytes for the id, 32 for the secret', () => {
    const sizes: number[] = [];
    const material = newGrantToken((size) => {
      sizes.push(size);
      return Buffer.alloc(size, 7);
    });
    expect(sizes).toEqual([8, 32]);
    expect(material.id).toBe('grant_0707070707070707');
  });

  it('refuse anything not shaped exactly like a token, before any lookup', () => {
    const { token } = newGrantToken();
    for (const text of [
      '',
      'gh_grant_',
      `${token}x`,
      token.slice(0, -1),
      token.replace('gh_grant_', 'gh-grant-'),
      token.toUpperCase(),
      `gh_grant_${'g'.repeat(16)}_${'A'.repeat(43)}`,
      `gh_grant_${'0'.repeat(16)}-${'A'.repeat(43)}`,
      `gh_grant_${'0'.repeat(16)}_${'A'.repeat(42)}=`,
    ])
      expect(grantIdOf(text), text).toBeUndefined();
    expect(looksLikeGrantToken('gh_grant_anything')).toBe(true);
    expect(looksLikeGrantToken('gh-0123')).toBe(false);
    expect(isGrantId('grant_0123')).toBe(false);
  });

  it('match only their own hash, compared as equal-length digests whatever is presented', () => {
    const { token, hash } = newGrantToken();
    expect(tokenMatches(token, hash)).toBe(true);
    const lastFlipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const firstSecretFlipped = `${token.slice(0, 26)}${token[26] === 'A' ? 'B' : 'A'}${token.slice(27)}`;
    for (const other of [lastFlipped, firstSecretFlipped, '', 'x'.repeat(10_000)])
      expect(tokenMatches(other, hash)).toBe(false);
    // A stored hash of the wrong length (a damaged row) is a mismatch, not a crash.
    expect(tokenMatches(token, 'abcd')).toBe(false);
    expect(tokenMatches(token, 'not hex')).toBe(false);
  });
});
