import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMasks, maskAll } from './masking.js';
import { piiTypes, type PiiType } from './pii-types.js';
import { samples } from './samples.js';
import { scanText } from './scanner.js';

/** The values found in `text`, as `type: value`. */
function found(text: string): string[] {
  return scanText(text).map((finding) => `${finding.type}: ${text.slice(finding.start, finding.end)}`);
}

const positives: readonly (readonly [PiiType, string])[] = [
  ['email', samples.email],
  ['email', 'j.smith@mail.example.co.uk'],
  ['email', 'FIRST_LAST%dept@sub-domain.example.org'],
  ['phone', samples.phone],
  ['phone', '+14155552671'],
  ['phone', '+44 20 7946 0958'],
  ['phone', '+49 30 12345678'],
  ['phone', '+33 1 23 45 67 89'],
  ['phone', '(415) 555-2671'],
  ['phone', '415-555-2671'],
  ['phone', '415.555.2671'],
  ['phone', '1-800-555-0199'],
  ['phone', '020 7946 0958'],
  ['phone', '07700 900123'],
  ['phone', '030 12345678'],
  ['phone', '(0171) 1234567'],
  ['phone', '01 23 45 67 89'],
  ['card', samples.card],
  ['card', '4111111111111111'],
  ['card', '5500-0000-0000-0004'],
  ['card', '5555 5555 5555 4444'],
  ['card', '3782 822463 10005'],
  ['card', '378282246310005'],
  ['card', '6011 1111 1111 1117'],
  ['card', '3530 1113 3330 0000'],
  ['card', '2223 0031 2200 3222'],
  ['iban', samples.iban],
  ['iban', 'DE89370400440532013000'],
  ['iban', 'GB82 WEST 1234 5698 7654 32'],
  ['iban', 'FR14 2004 1010 0505 0001 3M02 606'],
  ['iban', 'NL91 ABNA 0417 1643 00'],
  ['openai_key', samples.openaiKey()],
  ['openai_key', samples.openaiLegacyKey()],
  ['anthropic_key', samples.anthropicKey()],
  ['aws_access_key', samples.awsAccessKey()],
  ['aws_access_key', samples.awsTemporaryKey()],
  ['github_token', samples.githubToken()],
  ['github_token', samples.githubFineGrainedToken()],
  ['slack_token', samples.slackToken()],
  ['google_api_key', samples.googleApiKey()],
  ['jwt', samples.jwt()],
  ['private_key', samples.privateKey()],
  ['private_key', samples.privateKey(12, 'PRIVATE KEY')],
  ['private_key', samples.privateKey(13, 'OPENSSH PRIVATE KEY')],
  ['private_key', samples.privateKey(14, 'EC PRIVATE KEY')],
];

describe('the PII and secret detector', () => {
  it.each(positives)('finds %s: %s', (type, value) => {
    expect(found(`before ${value} after`)).toEqual([`${type}: ${value}`]);
    expect(found(value)).toEqual([`${type}: ${value}`]);
  });

  it.each([
    ['in a JSON string', (value: string) => JSON.stringify({ message: `see ${value}.` })],
    ['in parentheses', (value: string) => `(${value})`],
    ['after a colon', (value: string) => `value:${value}, next`],
    ['in quotes', (value: string) => `'${value}'`],
    ['at the end of a sentence', (value: string) => `It is ${value}.`],
  ])('finds every kind %s', (_name, wrap) => {
    for (const [type, value] of positives) {
      // A private key inside a JSON string has its line breaks written as `\n`.
      const expected = type === 'private_key' ? JSON.stringify(value).slice(1, -1) : value;
      const text = wrap(value);
      const values = scanText(text).map((finding) => text.slice(finding.start, finding.end));
      expect(values, `${type} ${value}`).toContain(text.includes(expected) ? expected : value);
    }
  });

  it('finds several values in one text, in order', () => {
    const text = `Mail ${samples.email} or call ${samples.phone}; card ${samples.card}, key ${samples.openaiKey()}.`;
    expect(scanText(text).map((finding) => finding.type)).toEqual(['email', 'phone', 'card', 'openai_key']);
  });

  it.each([
    ['an order number', 'Order #4111111111111111 shipped'],
    ['an order number with a prefix', 'order ORD-2024-000123 and INV-2024-0042'],
    ['a bare ten-digit number', 'ticket 4155552671 closed'],
    ['a millisecond timestamp', 'at 1716239022123 ms'],
    ['version strings', 'upgrade from 1.2.3 to v10.0.19045.3803 or 2.14.0-rc.1'],
    ['a UUID', 'id 123e4567-e89b-12d3-a456-426614174000'],
    ['a UUID of digits', 'id 12345678-1234-1234-1234-123456789012'],
    ['IP addresses', 'from 192.168.100.200 and 10.0.0.1 and 2001:db8::1'],
    ['dates and times', 'on 2024-01-15 10:30:45, 15.01.2024 and 01/15/2024 or 2024/01/15 09:00'],
    ['an ISBN', 'ISBN 978-3-16-148410-0'],
    ['a number failing Luhn', 'card 4111 1111 1111 1112'],
    ['a Luhn-valid number of no card scheme', 'id 1234 5678 9012 3452'],
    ['an IBAN with a wrong check', 'DE89 3704 0044 0532 0130 01'],
    ['a price and a quantity', 'costs $1,234,567.89 for 12 500 units'],
    ['coordinates', 'at 48.858844, 2.294351'],
    // 4111111111111111 passes Luhn with a card's prefix; after `13.` it is a fraction, as in a log
    // line's JSON (`"latencyMs":13.4111111111111111`).
    ['a decimal whose fraction looks like a card', '{"latencyMs":13.4111111111111111,"n":0.5}'],
    ['a decimal with spaces around it', 'took 13.4111111111111111 ms'],
    ['a git commit hash', 'commit 9fceb02d0ae598e95dc970b74767f19372d61af8'],
    ['a SHA-256 digest', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['a package at a version', 'installed lodash@4.17.21 and @scope/pkg@1.0.0'],
    ['a user at a host without a domain', 'ssh admin@localhost'],
    ['a slug that begins sk-', 'see sk-learn-model-selection-guide and task-management-tool-for-teams'],
    ['a word that begins with a key prefix', 'ghp_ is GitHub’s prefix, xoxb- is Slack’s'],
    ['base64 that begins eyJ but is no token', `eyJmb28iOiJiYXIifQ.eyJ4Ijoie30.abc`],
    ['a begin line without a private key', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['an AWS-looking word of the wrong length', ['AK', 'IA', 'SHORT'].join('')],
    ['a model name', 'gpt-4o-mini-2024-07-18 and claude-3-5-sonnet-20241022'],
    ['a request id', 'request 01J9Z8K6Q4W3E2R1T0Y9U8I7O6 and key_7f3a9c2e'],
    ['a phone-like run inside a word', 'SKU A415-555-2671B'],
  ])('finds nothing in %s', (_name, text) => {
    expect(found(text)).toEqual([]);
  });

  it('finds a card or phone number that ends a longer run of digit groups', () => {
    expect(found(`ref 12 34 56 ${samples.card}`)).toEqual([`card: ${samples.card}`]);
    expect(found('room 12 1 415 555 2671')).toEqual(['phone: 1 415 555 2671']);
    expect(found('(4111111111111111)')).toEqual(['card: 4111111111111111']);
  });

  it('finds only the kinds it is asked for', () => {
    const text = `${samples.email} ${samples.card} ${samples.awsAccessKey()}`;
    expect(scanText(text, new Set(['card'])).map((finding) => finding.type)).toEqual(['card']);
  });

  it('masks each kind with its label, a card keeping its last four digits', () => {
    const text = `${samples.email}, ${samples.card}, ${samples.jwt()}`;
    expect(applyMasks(text, scanText(text))).toBe('[EMAIL], [CARD:...1111], [JWT]');
  });

  it('never throws, on any string and on pathological ones', () => {
    const megabyte = 1_000_000;
    const texts = [
      '1 '.repeat(megabyte / 2),
      'a@'.repeat(megabyte / 2),
      `-----BEGIN PRIVATE KEY-----${'A'.repeat(megabyte)}`,
      `eyJ${'a'.repeat(megabyte)}`,
      'sk-'.repeat(megabyte / 3),
      '\uD800'.repeat(1000),
      `${'x'.repeat(70)}@example.com`,
    ];
    for (const text of texts) expect(() => scanText(text)).not.toThrow();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        scanText(text);
      }),
    );
  });
});

/** Text made of the fragments values and their look-alikes are built from, so that shapes meet. */
const fragments = fc
  .array(
    fc.constantFrom(
      ' ', '\n', '.', '-', '+', '(', ')', '@', ':', '_', '"', '\\n', '4111', '1111', '0000', '415', '555',
      '2671', '0', '1', 'DE89', '3704', 'example', 'com', 'sk-', 'ant-', 'AIza', 'gh', 'p_', 'xoxb-',
      'eyJ', '-----BEGIN ', 'PRIVATE KEY-----', '-----END ', 'a', 'Z', samples.email, samples.card,
      samples.iban, samples.phone, samples.openaiKey(), samples.awsAccessKey(), samples.jwt(),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => pieces.join('')); // prettier-ignore

describe('masking', () => {
  it('leaves no detected value in its output, on arbitrary text and on text made to contain values', () => {
    for (const arbitrary of [fragments, fc.string({ maxLength: 200 })]) {
      fc.assert(
        fc.property(arbitrary, (text) => {
          const findings = scanText(text);
          const masked = maskAll(text, scanText);
          expect(scanText(masked)).toEqual([]);
          for (const finding of findings) {
            const value = text.slice(finding.start, finding.end);
            // Unless the same characters also stand elsewhere, undetected (inside a longer word).
            if (
              applyMasks(
                text,
                findings.filter((other) => other !== finding),
              ).split(value).length <= 2
            )
              expect(masked).not.toContain(value);
          }
        }),
        { numRuns: 500 },
      );
    }
  });

  it('keeps the text around what it masks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...piiTypes.filter((type) => type !== 'private_key')),
        fc.string({ maxLength: 20 }).map((text) => text.replace(/[\w@.+\-()]/g, ' ')),
        (type, filler) => {
          const value = positives.find(([kind]) => kind === type)?.[1] ?? '';
          const text = ` ${filler} ${value} ${filler} `;
          const masked = maskAll(text, scanText);
          expect(masked.startsWith(` ${filler} `)).toBe(true);
          expect(masked.endsWith(` ${filler} `)).toBe(true);
          expect(masked).not.toContain(value);
        },
      ),
    );
  });
});
