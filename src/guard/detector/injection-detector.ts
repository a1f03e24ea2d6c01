import type { InjectionDetector, InjectionScore, ScoredSource } from './detector-contract.js';
import { decodedRuns } from './encoded-text.js';
import { WindowScorer, type WindowMargin } from './window-scorer.js';
import {
  detectorDomains,
  type DetectorDomain,
  type DetectorModel,
  type DomainCalibration,
} from './weights-file.js';

/** A margin at the domain's threshold scores 0.8, the default severity threshold. */
const scoreAtThreshold = 0.8;
const logitAtThreshold = Math.log(scoreAtThreshold / (1 - scoreAtThreshold));

export function calibratedScore(margin: number, calibration: DomainCalibration): number {
  if (margin === Number.NEGATIVE_INFINITY) return 0;
  const logit = calibration.slope * (margin - calibration.threshold) + logitAtThreshold;
  return 1 / (1 + Math.exp(-logit));
}

/**
 * The uncalibrated margin of a text's best window, or of the best window of a base64 or hex run
 * it carries once decoded. Training measures its cross-validated margins with this same function,
 * so the thresholds it picks hold for what is shipped.
 */
export function createMarginFunction(
  model: DetectorModel,
): (text: string, domain: DetectorDomain) => WindowMargin {
  const scorer = new WindowScorer(model);
  return (text, domain) => {
    const domainIndex = detectorDomains.indexOf(domain);
    let best = scorer.best(text, domainIndex);
    for (const run of decodedRuns(text)) {
      const decoded = scorer.best(run.text, domainIndex);
      if (decoded.margin > best.margin) {
        best = { margin: decoded.margin, start: run.start, end: run.end, windowed: true };
      }
    }
    return best;
  };
}

/**
 * The detector over a loaded model: the best margin calibrated to [0, 1] for the source's domain.
 * Scoring is synchronous and allocation-light; one detector serves every request (its buffers are
 * reused, which is safe because a score never awaits).
 */
export function createInjectionDetector(model: DetectorModel): InjectionDetector {
  const margins = createMarginFunction(model);
  const { sourceDomains, calibration } = model.header;
  return {
    score(text: string, source: ScoredSource): InjectionScore {
      const domain = sourceDomains[source];
      const best = margins(text, domain);
      const score = calibratedScore(best.margin, calibration[domain]);
      return best.windowed ? { score, window: { start: best.start, end: best.end } } : { score };
    },
  };
}
