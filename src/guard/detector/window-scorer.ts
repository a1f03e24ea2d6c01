import { compileLexicon, extractFeatures, FeatureBuffer, type CompiledLexicon } from './features.js';
import { NormaliseScratch, normaliseText } from './normalise.js';
import { CodePointFolder } from './text-folding.js';
import { slotsPerBucket, type DetectorModel } from './weights-file.js';

/** The highest-scoring window of a text, its range in the caller's text. */
export interface WindowMargin {
  /** The linear model's margin; −∞ for a text without features (empty, one character). */
  readonly margin: number;
  readonly start: number;
  readonly end: number;
  /** Whether the text was long enough to be scored in windows. */
  readonly windowed: boolean;
}

/**
 * A window's margin is bias + (Σ weights of the features that start in it) / √(their number):
 * the features of a window form a count vector scaled to the square root of its total, which is
 * what the model was trained on. Prefix sums over positions give every window in one pass, so
 * scoring is linear in the text whatever the overlap.
 */
export class WindowScorer {
  private readonly features = new FeatureBuffer();
  private readonly folder = new CodePointFolder();
  private readonly scratch = new NormaliseScratch();
  private sums = new Float64Array(1024);
  private counts = new Int32Array(1024);
  private readonly model: DetectorModel;
  private readonly lexicon: CompiledLexicon;

  constructor(model: DetectorModel) {
    this.model = model;
    this.lexicon = compileLexicon(model.header.lexicon);
  }

  best(text: string, domain: number): WindowMargin {
    const { header, weights } = this.model;
    const normalised = normaliseText(text, this.folder, this.scratch);
    const length = normalised.size;
    const featureCount = extractFeatures(
      normalised,
      header.bucketBits,
      header.features,
      this.lexicon,
      this.features,
    );
    if (this.sums.length < length + 1) {
      this.sums = new Float64Array((length + 1) * 2);
      this.counts = new Int32Array((length + 1) * 2);
    }
    const { sums, counts } = this;
    sums.fill(0, 0, length + 1);
    counts.fill(0, 0, length + 1);
    const { buckets, positions, characterGrams, wordFeatures } = this.features;
    const domainSlot = 1 + domain;
    const { wordWeight, conceptWeight } = header.features;
    for (let feature = 0; feature < featureCount; feature += 1) {
      const row = (buckets[feature] ?? 0) * slotsPerBucket;
      const next = (positions[feature] ?? 0) + 1;
      const value = (weights[row] ?? 0) + (weights[row + domainSlot] ?? 0);
      const scale = feature < characterGrams ? 1 : feature < wordFeatures ? wordWeight : conceptWeight;
      sums[next] = (sums[next] ?? 0) + scale * value;
      counts[next] = (counts[next] ?? 0) + 1;
    }
    for (let position = 1; position <= length; position += 1) {
      sums[position] = (sums[position] ?? 0) + (sums[position - 1] ?? 0);
      counts[position] = (counts[position] ?? 0) + (counts[position - 1] ?? 0);
    }
    const bias = (header.bias[0] ?? 0) + (header.bias[domainSlot] ?? 0);
    let best = Number.NEGATIVE_INFINITY;
    let bestStart = 0;
    let bestEnd = length;
    const { size, stride } = header.window;
    // The ranges of windowRanges(), walked without building the list.
    for (let start = 0, end = Math.min(length, size); ;) {
      const count = (counts[end] ?? 0) - (counts[start] ?? 0);
      if (count > 0) {
        const margin =
          bias + (header.weightScale * ((sums[end] ?? 0) - (sums[start] ?? 0))) / Math.sqrt(count);
        if (margin > best) {
          best = margin;
          bestStart = start;
          bestEnd = end;
        }
      }
      if (end >= length) break;
      start = Math.min(start + stride, length - size);
      end = start + size;
    }
    const { origins } = normalised;
    return {
      margin: best,
      start: length === 0 ? 0 : (origins[bestStart] ?? 0),
      end: bestEnd < length ? (origins[bestEnd] ?? text.length) : text.length,
      windowed: length > header.window.size,
    };
  }
}
