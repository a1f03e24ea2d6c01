/**
 * Reads a Prometheus text exposition into `name{label="value",...}` → value, labels sorted by name:
 * for tests that assert on exactly what a scrape returns, and for tools that read a live scrape.
 */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match === null) continue;
    const [, name = '', labelText = '', value = ''] = match;
    samples.set(seriesKey(name, parseLabels(labelText)), Number(value));
  }
  return samples;
}

export function seriesKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  return `${name}{${names.map((label) => `${label}="${labels[label] ?? ''}"`).join(',')}}`;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, (_, character: string) =>
      character === 'n' ? '\n' : character,
    );
  }
  return labels;
}

/** The value of one series in a rendered scrape; undefined when the series is absent. */
export function sample(
  samples: ReadonlyMap<string, number>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  return samples.get(seriesKey(name, labels));
}

/** Metric family names and their types (`counter`, `histogram`, ...) from the `# TYPE` lines. */
export function metricFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(match[1] ?? '', match[2] ?? '');
  return families;
}

/**
 * Whether a name used in a query is exported: a family itself, or a histogram's (or summary's)
 * `_bucket`, `_sum` or `_count` series.
 */
export function isExportedName(name: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(name)) return true;
  const suffix = /_(bucket|sum|count)$/.exec(name);
  if (suffix === null) return false;
  const type = families.get(name.slice(0, -suffix[0].length));
  return type === 'histogram' || (type === 'summary' && suffix[1] !== 'bucket');
}
