import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyMaterial, hashKey, isWellFormedKey, isWellFormedKeyId } from './key-format.js';

describe('key format', () => {
  it('generates gh- secrets of 43 base64url characters, with an id, a SHA-256 hash and a 10-character prefix', () => {
    const material = generateKeyMaterial();
    expect(material.secret).toMatch(/^gh-[A-Za-z0-9_-]{43}$/);
    expect(material.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(material.hash).toBe(hashKey(material.secret));
    expect(material.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(material.prefix).toBe(material.secret.slice(0, 10));
    expect(isWellFormedKey(material.secret)).toBe(true);
    expect(isWellFormedKeyId(material.id)).toBe(true);
  });

  it('generates a different secret and id every time', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => generateKeyMaterial().secret));
    expect(secrets.size).toBe(200);
  });

  it('uses the injected random source', () => {
    const material = generateKeyMaterial((size) => Buffer.alloc(size, 0));
    expect(material.secret).toBe(`gh-${'A'.repeat(43)}`);
    expect(material.id).toBe('key_0000000000000000');
  });

  it('rejects malformed keys cheaply', () => {
    const good = generateKeyMaterial().secret;
    for (const text of [
      '',
      'gh-',
      good.slice(0, -1),
      `${good}A`,
      `sk-${good.slice(3)}`,
      `${good.slice(0, -1)}=`,
      `${good.slice(0, -1)}+`,
      ` ${good.slice(1)}`,
    ]) {
      expect(isWellFormedKey(text), text).toBe(false);
    }
  });

  it('accepts exactly the generated shape (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) =>
        isWellFormedKey(`gh-${Buffer.from(bytes).toString('base64url')}`),
      ),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        (text) => isWellFormedKey(text) === /^gh-[\w-]{43}$/.test(text),
      ),
    );
  });
});
