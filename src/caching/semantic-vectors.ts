/**
 * Vectors scaled to unit length, so cosine similarity is a dot product. Undefined for a vector
 * that has no direction (all zeros) or is not made of finite numbers.
 */
export function unitVector(values: ArrayLike<number>): Float32Array | undefined {
  let squares = 0;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? Number.NaN;
    if (!Number.isFinite(value)) return undefined;
    squares += value * value;
  }
  if (squares === 0 || values.length === 0) return undefined;
  const scale = 1 / Math.sqrt(squares);
  const vector = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) vector[index] = (values[index] ?? 0) * scale;
  return vector;
}

/** Cosine similarity of two unit vectors of the same length. */
export function dotProduct(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] ?? 0) * (b[index] ?? 0);
  return sum;
}
