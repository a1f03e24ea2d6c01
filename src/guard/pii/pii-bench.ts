import { performance } from 'node:perf_hooks';
import { piiTypes } from './pii-types.js';
import { createPiiRedaction } from './redaction.js';
import { samples } from './samples.js';
import { scanText } from './scanner.js';
import { createTextMasker } from './text-masker.js';

/**
 * The detector's cost per KB of text (and per delta of a streamed answer, of 16 characters in an
 * OpenAI chunk), for docs/pii.md: `npm run build && npm exec -- node dist/guard/pii/pii-bench.js`.
 * A bench, not a test: timings depend on the machine, so nothing here passes or fails.
 */

export interface BenchRow {
  readonly name: string;
  /** Microseconds per `unit` of input. */
  readonly microseconds: number;
  readonly unit: 'KB' | 'delta';
}

const prose =
  'The committee reviews version 2.4.1 of the plan, due 2024-05-01, with a budget of 12,500 EUR; the team lead ' +
  'will circulate the minutes, and questions about order #4111111111111111 go to the usual channel. ';
const logLine =
  '{"level":"info","time":"2026-11-22T10:22:13.123Z","service":"gatehouse","request_id":"01J9Z8K6Q4W3E2R1T0Y9U8I7O6",' +
  '"key_id":"key_7f3a9c2e","dialect":"openai","operation":"chat","model":"gpt-4o-mini","provider":"openai",' +
  '"status":200,"stream":true,"attempts":1,"cache":"miss","input_tokens":1234,"output_tokens":567,"cost_usd":0.000345,' +
  '"overhead_ms":0.42,"duration_ms":812.33,"msg":"request"}\n';
const personal = `Please update my record: ${samples.email}, phone ${samples.phone}, card ${samples.card}, IBAN ${samples.iban}. `;

/** `unit` repeated to at least `bytes` characters, flattened (a repeated string is a rope V8 reads slowly). */
function sized(unit: string, bytes: number): string {
  const text = unit.repeat(Math.ceil(bytes / unit.length));
  return JSON.parse(JSON.stringify(text)) as string;
}

/** The best of several rounds, in µs per unit (`units` of them per run). */
function measure(name: string, units: number, run: () => void, unit: BenchRow['unit'] = 'KB'): BenchRow {
  for (let warm = 0; warm < 200; warm += 1) run();
  const iterations = Math.max(20, Math.ceil(2_000 / units));
  let best = Infinity;
  for (let round = 0; round < 7; round += 1) {
    const started = performance.now();
    for (let iteration = 0; iteration < iterations; iteration += 1) run();
    best = Math.min(best, (performance.now() - started) / iterations);
  }
  return { name, microseconds: (best * 1000) / units, unit };
}

export function benchPiiDetector(): BenchRow[] {
  const kilobyte = 1024;
  const proseKilobyte = sized(prose, kilobyte);
  const personalKilobyte = sized(personal, kilobyte);
  const logLines = sized(logLine, 4 * kilobyte);
  const pathologicalDigits = sized('1 ', 16 * kilobyte);
  const pathologicalAt = sized('a@', 16 * kilobyte);
  const masker = createTextMasker();
  const redaction = createPiiRedaction(new Set(piiTypes), () => undefined);
  const requestBody = (content: string) => ({ model: 'm', messages: [{ role: 'user', content }] });
  const streamOf = (text: string) =>
    (text.match(/.{1,16}/gs) ?? []).map(
      (delta) =>
        `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: delta } }] })}\n\n`,
    );
  const proseFrames = streamOf(sized(prose, 4 * kilobyte));
  const personalFrames = streamOf(sized(personal, 4 * kilobyte));
  const streamed = (frames: readonly string[]) => () => {
    const rewrite = redaction.streamAnswer('openai');
    for (const frame of frames) rewrite(frame);
  };
  return [
    measure('scan: prose without values', proseKilobyte.length / kilobyte, () => scanText(proseKilobyte)),
    measure('scan: JSON log lines', logLines.length / kilobyte, () => scanText(logLines)),
    measure('scan: text dense with values', personalKilobyte.length / kilobyte, () =>
      scanText(personalKilobyte),
    ),
    measure('mask a log line (no values)', logLine.length / kilobyte, () => masker.mask(logLine)),
    measure('mask: text dense with values', personalKilobyte.length / kilobyte, () =>
      masker.mask(personalKilobyte),
    ),
    measure('request: 1 KB prompt without values', proseKilobyte.length / kilobyte, () =>
      redaction.request(requestBody(proseKilobyte), 'openai', 'chat'),
    ),
    measure('request: 1 KB prompt dense with values', personalKilobyte.length / kilobyte, () =>
      redaction.request(requestBody(personalKilobyte), 'openai', 'chat'),
    ),
    measure('answer stream: prose', proseFrames.length, streamed(proseFrames), 'delta'),
    measure('answer stream: dense values', personalFrames.length, streamed(personalFrames), 'delta'),
    measure('pathological: "1 " repeated', 16, () => scanText(pathologicalDigits)),
    measure('pathological: "a@" repeated', 16, () => scanText(pathologicalAt)),
  ];
}

if (import.meta.main) {
  for (const row of benchPiiDetector()) {
    process.stdout.write(
      `${row.name.padEnd(44)} ${row.microseconds.toFixed(2).padStart(8)} µs/${row.unit}\n`,
    );
  }
}
