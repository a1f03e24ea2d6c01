import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import { shippedWeightsUrl } from './load-detector.js';
import {
  decodeWeightsFile,
  encodeWeightsFile,
  slotsPerBucket,
  weightsMagic,
  type DetectorModel,
} from './weights-file.js';

function smallModel(): DetectorModel {
  const weights = new Int8Array(2 ** 8 * slotsPerBucket).map((_, index) => (index % 255) - 127);
  return {
    header: {
      description: 'test',
      sources: [],
      bucketBits: 8,
      features: { shortestGram: 3, longestGram: 5, wordWeight: 1, conceptWeight: 2, conceptReach: 4 },
      lexicon: { override: ['ignor*'] },
      window: { size: 300, stride: 150 },
      sourceDomains: { input: 'direct', args: 'direct', tool_result: 'indirect', output: 'indirect' },
      weightScale: 0.01,
      bias: [-1, 0.5, 0.25],
      calibration: { direct: { threshold: 1, slope: 2 }, indirect: { threshold: 2, slope: 1 } },
      training: {},
    },
    weights,
  };
}

describe('the weights file', () => {
  it('ships within 2 MB, readable, with its data sources and licences in the header', () => {
    const bytes = readFileSync(shippedWeightsUrl);
    expect(bytes.length).toBeLessThanOrEqual(2 * 1024 * 1024);
    const { header, weights } = decodeWeightsFile(bytes);
    expect(weights.length).toBe(2 ** header.bucketBits * slotsPerBucket);
    expect(header.sources.map((source) => source.licence).join(' ')).toMatch(/Apache-2\.0.*MIT/s);
    expect(new TextDecoder().decode(bytes.subarray(0, weightsMagic.length))).toBe(weightsMagic);
  });

  it('decodes what it encodes', () => {
    const model = smallModel();
    const decoded = decodeWeightsFile(encodeWeightsFile(model));
    expect(decoded.header).toEqual(model.header);
    expect(Array.from(decoded.weights)).toEqual(Array.from(model.weights));
  });

  it('refuses a file that is not one, is cut short, or has a broken header', () => {
    const bytes = encodeWeightsFile(smallModel());
    // The JSON header starts after the first line: the magic, ten digits and a newline.
    const brokenJson = Uint8Array.from(bytes).fill(0x78, weightsMagic.length + 11, weightsMagic.length + 12);
    const refusals = [
      new Uint8Array(10),
      bytes.subarray(0, bytes.length - 1),
      brokenJson,
      new TextEncoder().encode(`${weightsMagic}0000000099\n{}`),
      new TextEncoder().encode(`${weightsMagic}0000000002\n{}`),
    ];
    for (const refused of refusals) {
      expect(() => decodeWeightsFile(refused)).toThrow(GatewayError);
    }
  });
});
