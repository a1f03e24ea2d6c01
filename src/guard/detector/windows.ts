/**
 * Long text is scored in overlapping windows and the highest window counts: an injection of two
 * sentences in a long e-mail or web page is a small share of the whole text's n-grams, and would
 * be averaged away. The stride is half a window, so a span up to half a window long lies wholly
 * inside at least one window.
 */
export interface WindowLayout {
  /** Window length in folded code units (about characters). */
  readonly size: number;
  readonly stride: number;
}

/** The windows of a text of `length` folded code units, as [start, end) pairs, in order. */
export function windowRanges(length: number, layout: WindowLayout): readonly (readonly [number, number])[] {
  if (length <= layout.size) return [[0, length]];
  const ranges: (readonly [number, number])[] = [];
  let start = 0;
  for (; start + layout.size < length; start += layout.stride) ranges.push([start, start + layout.size]);
  // The last window ends with the text, so the tail is never scored in a short window.
  ranges.push([length - layout.size, length]);
  return ranges;
}
