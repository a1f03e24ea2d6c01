/**
 * How a writer keeps its records on disk (spool and journal files): one record per line (NDJSON).
 * `fromLine` checks what it reads (a file may be torn, edited or from an older version) and answers
 * undefined for a line that is not a record, which is then skipped and its file kept aside.
 */
export interface LineCodec<Item> {
  /** One line of text without its newline; it must not contain a newline. */
  toLine(record: Item): string;
  fromLine(line: string): Item | undefined;
}

export function recordsToLines<Item>(codec: LineCodec<Item>, records: readonly Item[]): string {
  let text = '';
  for (const record of records) text += `${codec.toLine(record)}\n`;
  return text;
}
