import { decodedRuns } from '../encoded-text.js';
import { extractFeatures, FeatureBuffer, type CompiledLexicon, type FeatureSettings } from '../features.js';
import { normaliseText } from '../normalise.js';
import { CodePointFolder } from '../text-folding.js';
import { detectorDomains, type DetectorDomain } from '../weights-file.js';
import { windowRanges, type WindowLayout } from '../windows.js';

/**
 * Training rows as the scorer sees them: a bag of windows per (row, domain), each window a sparse
 * vector of bucket counts scaled by 1/√(their total) — exactly the vector whose dot product with
 * the weights the scorer computes with prefix sums. Decoded base64/hex runs add their windows to
 * the bag, as the scorer scores them too.
 */

export interface TrainingRow {
  readonly text: string;
  readonly label: 0 | 1;
  readonly domains: readonly DetectorDomain[];
  /** Rows of one group (a row and what was derived from it) stay in one cross-validation fold. */
  readonly group: string;
  readonly weight: number;
  /** Where the row came from (deepset, bipia, own, …), for the report. */
  readonly origin: string;
  /**
   * Where the injection is in a positive row, when known (inserted by us, or marked in our rows):
   * only the windows that hold it are positives, never the document around it.
   */
  readonly span?: { readonly start: number; readonly end: number } | undefined;
}

export interface Bag {
  readonly label: 0 | 1;
  readonly weight: number;
  /** 1 + the domain's index: the weight slot the bag's features use beside the shared one. */
  readonly domainSlot: number;
  readonly rowIndex: number;
  /** Indices into the instance store. */
  readonly instances: readonly number[];
}

/** Every window's sparse vector, concatenated. */
export interface InstanceStore {
  readonly offsets: Int32Array;
  readonly buckets: Int32Array;
  readonly values: Float32Array;
}

export interface Featurised {
  readonly bags: readonly Bag[];
  readonly store: InstanceStore;
}

class GrowingStore {
  offsets: number[] = [0];
  buckets: number[] = [];
  values: number[] = [];

  /** One window: the features in [from, to), each bucket's values summed, scaled by 1/√count. */
  add(buckets: Int32Array, values: Float64Array, from: number, to: number): number {
    const order = Array.from({ length: to - from }, (_, index) => from + index).sort(
      (left, right) => (buckets[left] ?? 0) - (buckets[right] ?? 0) || left - right,
    );
    const scale = 1 / Math.sqrt(order.length);
    for (let at = 0; at < order.length;) {
      const bucket = buckets[order[at] ?? 0] ?? 0;
      let value = 0;
      let end = at;
      while (end < order.length && buckets[order[end] ?? 0] === bucket) {
        value += values[order[end] ?? 0] ?? 0;
        end += 1;
      }
      this.buckets.push(bucket);
      this.values.push(value * scale);
      at = end;
    }
    this.offsets.push(this.buckets.length);
    return this.offsets.length - 2;
  }

  freeze(): InstanceStore {
    return {
      offsets: Int32Array.from(this.offsets),
      buckets: Int32Array.from(this.buckets),
      values: Float32Array.from(this.values),
    };
  }
}

/**
 * Whether a window holds enough of the span to be a positive: half the span, or half the window
 * when the span is longer than a window.
 */
function holdsSpan(
  origins: Int32Array,
  size: number,
  textLength: number,
  start: number,
  end: number,
  span: { readonly start: number; readonly end: number },
): boolean {
  const from = origins[start] ?? 0;
  const to = end < size ? (origins[end] ?? textLength) : textLength;
  const overlap = Math.min(to, span.end) - Math.max(from, span.start);
  return overlap > 0 && overlap >= 0.5 * Math.min(span.end - span.start, to - from);
}

/** The windows of one text, each added to the store; returns their instance indices. */
interface FeatureLayout {
  readonly bucketBits: number;
  readonly features: FeatureSettings;
  readonly lexicon: CompiledLexicon;
  readonly window: WindowLayout;
}

function windowInstances(
  text: string,
  span: TrainingRow['span'],
  layout: FeatureLayout,
  tools: { folder: CodePointFolder; features: FeatureBuffer; store: GrowingStore },
): number[] {
  const normalised = normaliseText(text, tools.folder);
  const count = extractFeatures(
    normalised,
    layout.bucketBits,
    layout.features,
    layout.lexicon,
    tools.features,
  );
  const { characterGrams, wordFeatures } = tools.features;
  const { wordWeight, conceptWeight } = layout.features;
  if (count === 0) return [];
  // Features sorted by position, so each window is one contiguous slice.
  const order = Array.from({ length: count }, (_, index) => index).sort(
    (left, right) =>
      (tools.features.positions[left] ?? 0) - (tools.features.positions[right] ?? 0) || left - right,
  );
  const positions = Int32Array.from(order, (index) => tools.features.positions[index] ?? 0);
  const buckets = Int32Array.from(order, (index) => tools.features.buckets[index] ?? 0);
  const values = Float64Array.from(order, (index) =>
    index < characterGrams ? 1 : index < wordFeatures ? wordWeight : conceptWeight,
  );
  const firstAtOrAfter = (position: number): number => {
    let low = 0;
    let high = positions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((positions[middle] ?? 0) < position) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const ranges = windowRanges(normalised.size, layout.window).filter(([start, end]) =>
    span === undefined ? true : holdsSpan(normalised.origins, normalised.size, text.length, start, end, span),
  );
  const instances: number[] = [];
  for (const [start, end] of ranges) {
    const from = firstAtOrAfter(start);
    const to = firstAtOrAfter(end);
    if (to > from) instances.push(tools.store.add(buckets, values, from, to));
  }
  return instances;
}

export function featurise(rows: readonly TrainingRow[], layout: FeatureLayout): Featurised {
  const tools = { folder: new CodePointFolder(), features: new FeatureBuffer(), store: new GrowingStore() };
  const bags: Bag[] = [];
  rows.forEach((row, rowIndex) => {
    const span = row.label === 1 ? row.span : undefined;
    const instances = windowInstances(row.text, span, layout, tools);
    for (const run of decodedRuns(row.text)) {
      instances.push(...windowInstances(run.text, undefined, layout, tools));
    }
    if (instances.length === 0) return;
    for (const domain of row.domains) {
      bags.push({
        label: row.label,
        weight: row.weight,
        domainSlot: 1 + detectorDomains.indexOf(domain),
        rowIndex,
        instances,
      });
    }
  });
  return { bags, store: tools.store.freeze() };
}
