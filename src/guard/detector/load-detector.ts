import { readFileSync } from 'node:fs';
import { GatewayError } from '../../errors/index.js';
import type { InjectionDetector } from './detector-contract.js';
import { createInjectionDetector } from './injection-detector.js';
import { decodeWeightsFile } from './weights-file.js';

/**
 * The shipped weights, found from this module rather than the working directory: src/guard/detector/
 * and dist/guard/detector/ are both three levels under the package root, where data/guard/model/
 * ships (package.json "files").
 */
export const shippedWeightsUrl = new URL('../../../data/guard/model/injection-detector.bin', import.meta.url);

/** Reads the shipped weights file once (about a millisecond); call it at start, not per request. */
export function loadInjectionDetector(): InjectionDetector {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(shippedWeightsUrl);
  } catch (error) {
    throw new GatewayError(
      'internal_error',
      `The injection detector's weights file is missing: ${shippedWeightsUrl.pathname}.`,
      {
        cause: error,
      },
    );
  }
  return createInjectionDetector(decodeWeightsFile(bytes));
}
