import { GatewayError } from '../errors/index.js';

/**
 * Whether the caller may use `model`. Patterns are matched case-sensitively (model names are),
 * `*` standing for any run of characters; an empty list allows every model.
 */
export function mayUseModel(principal: { readonly models: readonly string[] }, model: string): boolean {
  if (principal.models.length === 0) return true;
  return principal.models.some((pattern) => matchesPattern(pattern, model));
}

export function modelNotAllowedError(model: string): GatewayError {
  return new GatewayError('model_not_allowed', `This key may not use model '${model}'.`, { param: 'model' });
}

/**
 * Glob matching with `*` only, without building regular expressions (a pattern is data an admin
 * typed, and a regular expression built from it could backtrack badly): the literal pieces between
 * stars must appear in order, the first at the start and the last at the end.
 */
export function matchesPattern(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === text;
  const first = pieces[0] ?? '';
  const last = pieces.at(-1) ?? '';
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last))
    return false;
  let position = first.length;
  const end = text.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    if (piece === '') continue;
    const found = text.indexOf(piece, position);
    if (found === -1 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}
