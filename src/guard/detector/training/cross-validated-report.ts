import { detectorDomains } from '../weights-file.js';
import type { HeldOutMargin } from './cross-validation.js';
import type { DomainCalibration, DetectorDomain } from '../weights-file.js';

/** Cross-validated recall and false-positive rate per domain and origin, at the chosen thresholds. */
export function crossValidatedReport(
  heldOut: readonly HeldOutMargin[],
  calibration: Readonly<Record<DetectorDomain, DomainCalibration>>,
): string[] {
  const lines: string[] = [];
  for (const domain of detectorDomains) {
    const { threshold } = calibration[domain];
    const groups = new Map<
      string,
      { positives: number; caught: number; negatives: number; flagged: number }
    >();
    for (const entry of heldOut) {
      if (entry.domain !== domain) continue;
      const group = groups.get(entry.row.origin) ?? { positives: 0, caught: 0, negatives: 0, flagged: 0 };
      const flagged = entry.margin >= threshold;
      if (entry.row.label === 1) {
        group.positives += 1;
        if (flagged) group.caught += 1;
      } else {
        group.negatives += 1;
        if (flagged) group.flagged += 1;
      }
      groups.set(entry.row.origin, group);
    }
    for (const [origin, group] of [...groups].sort(([left], [right]) => left.localeCompare(right))) {
      const recall = group.positives === 0 ? '-' : (group.caught / group.positives).toFixed(3);
      const rate = group.negatives === 0 ? '-' : (group.flagged / group.negatives).toFixed(3);
      lines.push(
        `  ${domain.padEnd(8)} ${origin.padEnd(14)} recall ${recall} (${group.caught}/${group.positives})  FPR ${rate} (${group.flagged}/${group.negatives})`,
      );
    }
  }
  return lines;
}
