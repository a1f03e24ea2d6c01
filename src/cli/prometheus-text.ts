/**
 * A reader for the Prometheus text exposition format (version 0.0.4, and the OpenMetrics text that
 * prom-client can also produce): enough of it to read counters and histograms back from a running
 * gateway's `/metrics`, which is what `gatehouse capacity --from` needs.
 *
 * Format reference: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export class PrometheusTextError extends Error {
  constructor(lineNumber: number, problem: string) {
    super(`line ${lineNumber}: ${problem}`);
    this.name = 'PrometheusTextError';
  }
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(text: string): number | undefined {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
    default: {
      const value = Number(text);
      return text === '' || Number.isNaN(value) ? undefined : value;
    }
  }
}

/** Reads `{name="value",...}` from the start of `text`; returns the labels and the rest of the line. */
function parseLabels(text: string, lineNumber: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text.slice(1);
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('}')) return { labels, rest: rest.slice(1) };
    const name = labelName.exec(rest)?.[0];
    if (name === undefined) throw new PrometheusTextError(lineNumber, 'expected a label name');
    rest = rest.slice(name.length).trimStart();
    if (!rest.startsWith('="')) throw new PrometheusTextError(lineNumber, `expected ="..." after ${name}`);
    rest = rest.slice(2);
    let value = '';
    for (;;) {
      const character = rest[0];
      if (character === undefined) throw new PrometheusTextError(lineNumber, 'unterminated label value');
      rest = rest.slice(1);
      if (character === '"') break;
      if (character === '\\') {
        const escaped = rest[0];
        rest = rest.slice(1);
        value += escaped === 'n' ? '\n' : (escaped ?? '');
      } else {
        value += character;
      }
    }
    labels[name] = value;
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new PrometheusTextError(lineNumber, 'expected , or } in labels');
  }
}

/** Every sample in an exposition; comments (`# HELP`, `# TYPE`, `# EOF`) and blank lines are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const lineNumber = index + 1;
    const name = metricName.exec(line)?.[0];
    if (name === undefined) throw new PrometheusTextError(lineNumber, 'expected a metric name');
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, lineNumber));
    // The value, then an optional timestamp (and, in OpenMetrics, an optional exemplar after `#`).
    const valueText = rest.split('#')[0]?.trim().split(/\s+/)[0] ?? '';
    const value = parseValue(valueText);
    if (value === undefined)
      throw new PrometheusTextError(lineNumber, `expected a number, got "${valueText}"`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The sum of every sample of one metric whose labels pass `keep`; undefined when there is none. */
export function sumSamples(
  samples: readonly Sample[],
  name: string,
  keep: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): number | undefined {
  let total: number | undefined;
  for (const sample of samples) {
    if (sample.name === name && keep(sample.labels)) total = (total ?? 0) + sample.value;
  }
  return total;
}
