/**
 * What the PII and secret detector finds. The list is closed, so a metric label, a configuration
 * value and a mask label are bounded by it; a new kind is a new entry here (and its pattern).
 */
export const piiTypes = [
  'email',
  'phone',
  'card',
  'iban',
  'openai_key',
  'anthropic_key',
  'aws_access_key',
  'github_token',
  'slack_token',
  'google_api_key',
  'private_key',
  'jwt',
] as const;

export type PiiType = (typeof piiTypes)[number];

/** The kinds that are credentials rather than personal data (the secret scrubber takes these out). */
export const credentialTypes: readonly PiiType[] = [
  'openai_key',
  'anthropic_key',
  'aws_access_key',
  'github_token',
  'slack_token',
  'google_api_key',
  'private_key',
  'jwt',
];

/** One value found in a text: its kind and where it is (UTF-16 offsets, `end` exclusive). */
export interface Finding {
  readonly type: PiiType;
  readonly start: number;
  readonly end: number;
}

export function isPiiType(value: string): value is PiiType {
  return (piiTypes as readonly string[]).includes(value);
}
