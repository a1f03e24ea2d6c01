import { z } from 'zod';
import { piiTypes } from '../guard/pii/index.js';

/**
 * `guard.pii` (docs/pii.md): personal data and credentials in what callers send and what models
 * answer. Logs and traces always mask every kind; these settings add the masking of requests
 * before the provider sees them and of answers before the caller sees them, both off by default
 * because they change what a model is given and what a caller receives.
 */
export const guardPiiSchema = z
  .strictObject({
    /** Mask personal data and credentials in prompts (both dialects, embeddings inputs too). */
    redact_requests: z.boolean().default(false),
    /** Mask them in the text of answers, whole and streamed. */
    redact_answers: z.boolean().default(false),
    /** The kinds redacted in requests and answers; every kind by default. */
    types: z
      .array(z.enum(piiTypes))
      .min(1)
      .refine((types) => new Set(types).size === types.length, { message: 'lists a kind twice' })
      .default([...piiTypes]),
  })
  .prefault({});
