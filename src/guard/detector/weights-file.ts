import { GatewayError } from '../../errors/index.js';
import type { FeatureSettings } from './features.js';
import type { WindowLayout } from './windows.js';

/**
 * The weights file: a first line naming the format and the header's length in bytes, a JSON header (what the model is, where its data came from and
 * under which licences, how it was trained, its calibration) and the weights as signed bytes, one
 * row of `slots` per hash bucket: the weight every source shares, then one per domain (the same
 * n-gram may mean more in a tool result than in a user's message). `weightScale` turns a byte back
 * into a weight. Nothing in it depends on the time or the machine, so a retrain writes the same
 * bytes.
 */

export const weightsMagic = 'GATEHOUSE-INJECTION-DETECTOR 1 header-bytes=';
/** The first line: the magic, the header's length as ten digits, a newline. */
const firstLineLength = weightsMagic.length + 11;

/** The domains a source is scored in; slot 0 is shared, slot 1 + index is the domain's own. */
export const detectorDomains = ['direct', 'indirect'] as const;
export type DetectorDomain = (typeof detectorDomains)[number];

export interface DomainCalibration {
  /** The margin at which a text becomes an injection: it maps to a score of 0.8. */
  readonly threshold: number;
  /** How fast the score rises with the margin around the threshold (a logistic slope). */
  readonly slope: number;
}

export interface DataSource {
  readonly name: string;
  readonly licence: string;
  readonly origin: string;
  readonly files: readonly string[];
  readonly use: string;
}

export interface WeightsHeader {
  readonly description: string;
  readonly sources: readonly DataSource[];
  readonly bucketBits: number;
  readonly features: FeatureSettings;
  /** Word classes: class name → lines of entries (see training/concept-lexicon.ts). */
  readonly lexicon: Readonly<Record<string, readonly string[]>>;
  readonly window: WindowLayout;
  /** The domain each source of text is scored in. */
  readonly sourceDomains: Readonly<Record<'input' | 'tool_result' | 'args' | 'output', DetectorDomain>>;
  readonly weightScale: number;
  /** The bias shared by every domain, then each domain's own. */
  readonly bias: readonly number[];
  readonly calibration: Readonly<Record<DetectorDomain, DomainCalibration>>;
  /** How the weights were made (hyperparameters, row counts, cross-validated figures). */
  readonly training: Readonly<Record<string, unknown>>;
}

export interface DetectorModel {
  readonly header: WeightsHeader;
  /** `2^bucketBits × slots` signed bytes. */
  readonly weights: Int8Array;
}

export const slotsPerBucket = 1 + detectorDomains.length;

const alignment = 8;

export function encodeWeightsFile(model: DetectorModel): Uint8Array {
  const header = new TextEncoder().encode(`${JSON.stringify(model.header, null, 1)}\n`);
  const firstLine = `${weightsMagic}${String(header.length).padStart(10, '0')}\n`;
  const offset = Math.ceil((firstLineLength + header.length) / alignment) * alignment;
  const bytes = new Uint8Array(offset + model.weights.length);
  bytes.set(new TextEncoder().encode(firstLine), 0);
  bytes.set(header, firstLineLength);
  bytes.fill(0x20, firstLineLength + header.length, offset);
  bytes.set(new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.length), offset);
  return bytes;
}

function unreadable(reason: string): GatewayError {
  return new GatewayError(
    'internal_error',
    `The injection detector's weights file is unreadable: ${reason}.`,
  );
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkHeader(value: unknown): WeightsHeader {
  if (typeof value !== 'object' || value === null) throw unreadable('the header is not an object');
  const header = value as Partial<WeightsHeader>;
  const { bucketBits, features, window, weightScale, bias, calibration, sourceDomains } = header;
  if (!isFiniteNumber(bucketBits) || bucketBits < 8 || bucketBits > 24) throw unreadable('bad bucketBits');
  if (
    features === undefined ||
    !(features.shortestGram >= 1) ||
    !(features.longestGram >= features.shortestGram) ||
    !(features.longestGram <= 8) ||
    !isFiniteNumber(features.wordWeight) ||
    !isFiniteNumber(features.conceptWeight) ||
    !(features.conceptReach >= 0 && features.conceptReach <= 16)
  ) {
    throw unreadable('bad features');
  }
  const { lexicon } = header;
  if (
    typeof lexicon !== 'object' ||
    lexicon === null ||
    !Object.values(lexicon).every(
      (lines: unknown) => Array.isArray(lines) && lines.every((line: unknown) => typeof line === 'string'),
    )
  ) {
    throw unreadable('bad lexicon');
  }
  if (window === undefined || !(window.size > 0) || !(window.stride > 0)) throw unreadable('bad window');
  if (!isFiniteNumber(weightScale) || weightScale <= 0) throw unreadable('bad weightScale');
  if (!Array.isArray(bias) || bias.length !== slotsPerBucket || !bias.every(isFiniteNumber)) {
    throw unreadable('bad bias');
  }
  for (const domain of detectorDomains) {
    const entry = calibration?.[domain];
    if (entry === undefined || !isFiniteNumber(entry.threshold) || !isFiniteNumber(entry.slope)) {
      throw unreadable(`bad calibration for ${domain}`);
    }
  }
  if (sourceDomains === undefined) throw unreadable('no sourceDomains');
  return header as WeightsHeader;
}

export function decodeWeightsFile(bytes: Uint8Array): DetectorModel {
  const firstLine = new TextDecoder().decode(bytes.subarray(0, firstLineLength));
  if (!firstLine.startsWith(weightsMagic)) throw unreadable('not a Gatehouse injection detector file');
  const headerLength = Number(firstLine.slice(weightsMagic.length, firstLineLength - 1));
  if (!Number.isSafeInteger(headerLength) || firstLineLength + headerLength > bytes.length) {
    throw unreadable('the header length is wrong');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      new TextDecoder().decode(bytes.subarray(firstLineLength, firstLineLength + headerLength)),
    );
  } catch {
    throw unreadable('the header is not JSON');
  }
  const header = checkHeader(parsed);
  const offset = Math.ceil((firstLineLength + headerLength) / alignment) * alignment;
  const expected = 2 ** header.bucketBits * slotsPerBucket;
  if (bytes.length - offset !== expected) throw unreadable(`expected ${expected} weight bytes`);
  const weights = new Int8Array(bytes.buffer, bytes.byteOffset + offset, expected);
  return { header, weights };
}
