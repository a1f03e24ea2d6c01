/**
 * Deterministic embeddings: each text's lower-cased character trigrams are hashed into a fixed
 * number of dimensions with a hashed sign (feature hashing), and the vector is scaled to unit
 * length (the hash is FNV-1a, inlined because it runs per character). Texts that share many trigrams share many dimensions, so similar texts get a higher
 * cosine similarity than unrelated ones, which is what semantic-cache and retrieval tests need.
 */

export const defaultEmbeddingDimensions = 256;
/** Large enough for any real embedding size (OpenAI's largest is 3072). */
export const largestEmbeddingDimensions = 4096;

export interface EmbeddingsView {
  readonly texts: readonly string[];
  readonly dimensions: number;
  readonly encoding: 'float' | 'base64';
}

export type EmbeddingsViewResult =
  | { readonly ok: true; readonly view: EmbeddingsView }
  | { readonly ok: false; readonly message: string; readonly param: string };

function isTokenArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

/** Reads `input` (a string, strings, tokens or token arrays), `dimensions` and `encoding_format`. */
export function readEmbeddingsRequest(body: unknown): EmbeddingsViewResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'The request body must be a JSON object.', param: '' };
  }
  const fields = body as Readonly<Record<string, unknown>>;
  const input = fields.input;
  let texts: string[];
  // Token ids stand for text the mock cannot decode; their decimal spelling is a stable stand-in.
  if (typeof input === 'string') texts = [input];
  else if (isTokenArray(input) && input.length > 0) texts = [input.join(' ')];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string')) {
    texts = input;
  } else if (Array.isArray(input) && input.length > 0 && input.every(isTokenArray)) {
    texts = input.map((tokens) => tokens.join(' '));
  } else {
    return {
      ok: false,
      message: 'input: must be a string or a non-empty array of strings or tokens.',
      param: 'input',
    };
  }
  const dimensions = fields.dimensions ?? defaultEmbeddingDimensions;
  if (
    typeof dimensions !== 'number' ||
    !Number.isInteger(dimensions) ||
    dimensions < 1 ||
    dimensions > largestEmbeddingDimensions
  ) {
    return {
      ok: false,
      message: `dimensions: must be a whole number from 1 to ${largestEmbeddingDimensions}.`,
      param: 'dimensions',
    };
  }
  const encoding = fields.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64') {
    return { ok: false, message: 'encoding_format: must be "float" or "base64".', param: 'encoding_format' };
  }
  return { ok: true, view: { texts, dimensions, encoding } };
}

/** The unit vector of one text. */
export function embedText(text: string, dimensions: number): Float32Array {
  const sums = new Float64Array(dimensions);
  // Spaces around the text make its first and last characters trigrams of their own.
  const padded = ` ${text.toLowerCase()} `;
  for (let index = 0; index + 3 <= padded.length; index++) {
    let hash = Math.imul(0x811c9dc5 ^ padded.charCodeAt(index), 0x01000193);
    hash = Math.imul(hash ^ padded.charCodeAt(index + 1), 0x01000193);
    hash = Math.imul(hash ^ padded.charCodeAt(index + 2), 0x01000193) >>> 0;
    const bucket = hash % dimensions;
    sums[bucket] = (sums[bucket] ?? 0) + (hash >>> 31 === 1 ? -1 : 1);
  }
  let squares = 0;
  for (const value of sums) squares += value * value;
  const vector = new Float32Array(dimensions);
  if (squares === 0) {
    // A text with no trigram (the empty string) still gets a unit vector.
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(squares);
  for (let index = 0; index < dimensions; index++) vector[index] = (sums[index] ?? 0) * scale;
  return vector;
}

function encodeVector(vector: Float32Array, encoding: 'float' | 'base64'): number[] | string {
  if (encoding === 'base64') {
    // OpenAI's base64 is the little-endian float32 bytes; Float32Array is little-endian on x86 and ARM.
    return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
  }
  return Array.from(vector);
}

export function embeddingsBody(view: EmbeddingsView, model: string, promptTokens: number): Uint8Array {
  const data = view.texts.map((text, index) => ({
    object: 'embedding',
    index,
    embedding: encodeVector(embedText(text, view.dimensions), view.encoding),
  }));
  const body = {
    object: 'list',
    data,
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
  return Buffer.from(JSON.stringify(body));
}
