import { readFileSync, writeFileSync } from 'node:fs';
import { shippedWeightsUrl } from '../load-detector.js';
import { encodeWeightsFile } from '../weights-file.js';
import { crossValidatedReport } from './cross-validated-report.js';
import { defaultRecipe, trainDetector } from './detector-training.js';

/**
 * `npm run train:guard`: trains the detector from data/guard/ and writes the shipped weights file.
 * `npm run train:guard -- --check` trains the same way and fails unless the result is byte for
 * byte the file in the repository (for CI). A process entry of its own, so it reads argv.
 */
const check = process.argv.includes('--check');
const started = performance.now();
const log = (line: string): void => {
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
};

const trained = trainDetector(defaultRecipe, log);
log('cross-validated on the training data, at the chosen thresholds:');
for (const line of crossValidatedReport(trained.heldOut, trained.model.header.calibration)) log(line);
const bytes = encodeWeightsFile(trained.model);
if (check) {
  const shipped = readFileSync(shippedWeightsUrl);
  const same = shipped.length === bytes.length && shipped.every((byte, index) => byte === bytes[index]);
  log(
    same
      ? 'the shipped weights file is reproduced byte for byte'
      : 'the shipped weights file DIFFERS from a retrain',
  );
  process.exitCode = same ? 0 : 1;
} else {
  writeFileSync(shippedWeightsUrl, bytes);
  log(`wrote ${shippedWeightsUrl.pathname} (${bytes.length} bytes)`);
}
