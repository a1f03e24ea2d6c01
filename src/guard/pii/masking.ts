import type { Finding, PiiType } from './pii-types.js';

/**
 * What a found value is replaced by: its kind in brackets, so a reader (or a model) still knows
 * what stood there. A card keeps its last four digits, as receipts print them (PCI DSS allows it),
 * so a support log can still tell two cards apart; nothing else keeps any of its characters.
 * Brackets are in no shape's character set, so a mask never becomes part of a new finding.
 */
const labels: Readonly<Record<PiiType, string>> = {
  email: '[EMAIL]',
  phone: '[PHONE]',
  card: '[CARD]',
  iban: '[IBAN]',
  openai_key: '[OPENAI_KEY]',
  anthropic_key: '[ANTHROPIC_KEY]',
  aws_access_key: '[AWS_ACCESS_KEY]',
  github_token: '[GITHUB_TOKEN]',
  slack_token: '[SLACK_TOKEN]',
  google_api_key: '[GOOGLE_API_KEY]',
  private_key: '[PRIVATE_KEY]',
  jwt: '[JWT]',
};

/** The mask of one value (`value` is the text the finding covers). */
export function maskLabel(type: PiiType, value: string): string {
  if (type !== 'card') return labels[type];
  const digits = value.replace(/\D/g, '');
  return `[CARD:...${digits.slice(-4)}]`;
}

/** `text` with every finding replaced by its mask; findings must be ordered and not overlap. */
export function applyMasks(text: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return text;
  let result = '';
  let position = 0;
  for (const finding of findings) {
    result +=
      text.slice(position, finding.start) + maskLabel(finding.type, text.slice(finding.start, finding.end));
    position = finding.end;
  }
  return result + text.slice(position);
}

/**
 * `text` masked until a scan of it finds nothing. One pass is almost always enough; a second is
 * needed where a value's end was no boundary until its neighbour was masked (`…example.com` just
 * before a private-key block's dashes). Each pass masks original text only, so four always do.
 */
export function maskAll(
  text: string,
  scan: (text: string) => readonly Finding[],
  found?: (type: PiiType) => void,
): string {
  let current = text;
  for (let pass = 0; pass < 4; pass += 1) {
    const findings = scan(current);
    if (findings.length === 0) break;
    if (found !== undefined) for (const finding of findings) found(finding.type);
    current = applyMasks(current, findings);
  }
  return current;
}
