import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeldText, maxHeldCharacters } from './held-text.js';
import { maskAll } from './masking.js';
import { piiTypes, type PiiType } from './pii-types.js';
import { samples } from './samples.js';
import { scanText } from './scanner.js';

const allTypes = new Set(piiTypes);

/** `text` delivered in the given pieces; what the caller receives, and what was counted. */
function stream(pieces: readonly string[], types: ReadonlySet<PiiType> = allTypes) {
  const counted: PiiType[] = [];
  const held = new HeldText(types, (type) => counted.push(type));
  const released = pieces.map((piece) => held.push(piece));
  released.push(held.flush());
  return { released, text: released.join(''), counted };
}

function pieces(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  return [...points, text.length].map((point) => {
    const piece = text.slice(from, point);
    from = point;
    return piece;
  });
}

const streamedText = fc
  .array(
    fc.constantFrom(
      ' ', '\n', '. ', ', ', 'call ', 'mail ', 'the ', '(', ')', '@', ':', '0', '1', 'word', samples.email,
      samples.card, samples.iban, samples.phone, samples.openaiKey(), samples.awsAccessKey(), samples.jwt(),
      samples.privateKey(), '+49 30 12345678', 'DE89370400440532013000', 'é', '😀', '#', '12 ', '-',
      samples.githubToken(), samples.slackToken(), samples.anthropicKey(), '(0171) 1234567',
      'GB82 WEST 1234 5698 7654 32', '\\n',
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join('')); // prettier-ignore

describe('held text (a streamed answer part)', () => {
  it('masks a value that arrives split over several deltas', () => {
    const { released, text, counted } = stream([
      'Write to jo',
      'hn.smith@exa',
      'mple.com or ',
      'call +1 415',
      ' 555 2671 today.',
    ]);
    expect(text).toBe('Write to [EMAIL] or call [PHONE] today.');
    expect(counted).toEqual(['email', 'phone']);
    // Prose is released as it comes; only the partial value at the end waits.
    expect(released[0]).toBe('Write to ');
  });

  it('holds no more than the last partial word of prose', () => {
    const { released } = stream(['The quick brown fox ', 'jumps over the la', 'zy dog.']);
    expect(released).toEqual(['The quick brown fox ', 'jumps over the ', 'lazy ', 'dog.']);
  });

  it('holds a private-key block until it ends, whatever its lines arrive with', () => {
    const key = samples.privateKey();
    const { text } = stream(['Here: -----BEGIN RSA PRIV', ...key.slice(19).match(/[\s\S]{1,7}/g)!, ' done']);
    expect(text).toBe('Here: [PRIVATE_KEY] done');
  });

  it('releases the text it holds once it exceeds the bound', () => {
    const held = new HeldText(allTypes, () => undefined);
    const released = held.push('x'.repeat(maxHeldCharacters + 100));
    expect(released).toBe('x'.repeat(100));
    expect(held.flush()).toBe('x'.repeat(maxHeldCharacters));
  });

  it('masks only the kinds it is given', () => {
    expect(stream([`${samples.email} `, samples.card], new Set(['card'])).text).toBe(
      `${samples.email} [CARD:...1111]`,
    );
  });

  it('masks a text however it is cut exactly as it masks the whole text, leaving no value', () => {
    fc.assert(
      fc.property(streamedText, fc.array(fc.nat(), { maxLength: 20 }), (text, cuts) => {
        const { text: received } = stream(pieces(text, cuts));
        expect(received).toBe(maskAll(text, scanText));
        expect(scanText(received)).toEqual([]);
        for (const finding of scanText(text)) {
          const value = text.slice(finding.start, finding.end);
          if (text.split(value).length === 2) expect(received).not.toContain(value);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws and releases everything it was given, on arbitrary text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 50 }), { maxLength: 10 }), (deltas) => {
        const { text } = stream(deltas, new Set());
        expect(text).toBe(deltas.join(''));
      }),
    );
  });
});
