/**
 * Checks that tell a credential from a word of the same shape, for the kinds whose prefix alone is
 * not enough (`sk-` begins package names and slugs; `eyJ` begins any base64 of a JSON object).
 */

/**
 * A provider key's secret part is random: among its 20+ characters there is a run of at least 12
 * letters and digits with no `-` or `_` (a hyphenated slug such as `sk-learn-model-selection-guide`
 * has none), and it holds a letter and a digit.
 */
export function looksRandom(secret: string): boolean {
  let run = 0;
  let longest = 0;
  let letters = false;
  let digits = false;
  for (let index = 0; index < secret.length; index += 1) {
    const code = secret.charCodeAt(index);
    const digit = code >= 48 && code <= 57;
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (digit) digits = true;
    if (letter) letters = true;
    run = digit || letter ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest >= 12 && letters && digits;
}

/** The key's kind by its prefix: Anthropic keys are `sk-ant-…`, every other `sk-…` is OpenAI's. */
export function providerKeyKind(key: string): 'openai_key' | 'anthropic_key' | undefined {
  if (key.startsWith('sk-ant-')) return looksRandom(key.slice(7)) ? 'anthropic_key' : undefined;
  return looksRandom(key.slice(3)) ? 'openai_key' : undefined;
}

/**
 * A JSON Web Token's header is base64url JSON naming its algorithm (RFC 7515 §4.1.1); a base64
 * blob that merely begins with `eyJ` is not a token. Headers are short, so only a bounded prefix
 * is ever decoded.
 */
export function isJwtHeader(encoded: string): boolean {
  if (encoded.length > 2048) return false;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  return typeof json === 'object' && json !== null && typeof (json as { alg?: unknown }).alg === 'string';
}
