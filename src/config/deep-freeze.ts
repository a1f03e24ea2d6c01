/**
 * Freezes a value and everything reachable from it, so the one configuration object handed to
 * every component cannot be changed by any of them (SPEC section 2: "one typed, frozen object").
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
