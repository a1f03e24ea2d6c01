/** Request headers as Node gives them: lower-cased names. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The caller's key from `Authorization: Bearer <key>` or Anthropic's `x-api-key: <key>`. */
export function presentedKey(headers: RequestHeaders): string | undefined {
  const authorization = headers.authorization;
  if (
    typeof authorization === 'string' &&
    authorization.length > 7 &&
    authorization.slice(0, 7).toLowerCase() === 'bearer '
  ) {
    const key = authorization.slice(7).trim();
    if (key !== '') return key;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey.trim() : undefined;
}
