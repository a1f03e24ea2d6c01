import { createHash } from 'node:crypto';

/**
 * A model's version: its kind and the first 12 hex digits of the SHA-256 of its parameters. Fitting
 * is deterministic, so replicas that trained on the same reviews hold the same version.
 */
export function modelVersion(prefix: string, parameters: Float64Array): string {
  const digest = createHash('sha256')
    .update(new Uint8Array(parameters.buffer, parameters.byteOffset, parameters.byteLength))
    .digest('hex');
  return `${prefix}-${digest.slice(0, 12)}`;
}
