import { describe, expect, it } from 'vitest';
import { codecs, validateEmbeddingsRequest } from '../../dialects/index.js';
import { proceed, type StageResult } from '../stage.js';
import { callFor, chatBody, validatedCall } from '../test-fakes.js';
import { createValidateStage } from './validate.js';

describe('the validate stage', () => {
  const stage = createValidateStage({ codecs, validateEmbeddings: validateEmbeddingsRequest });

  it('leaves the summary of a valid request on the call', () => {
    const call = validatedCall({ ...chatBody, stream: true });
    expect(call.summary).toMatchObject({
      model: 'gpt-4o',
      stream: true,
      maxOutputTokens: 50,
      messageCount: 1,
    });
  });

  it('refuses an invalid body naming the field, and validates embeddings by their own rules', () => {
    const refused = stage.run(callFor({ model: 'gpt-4o', messages: [] })) as StageResult;
    expect(refused.type === 'reject' && refused.error.param).toBe('messages');
    const embeddings = callFor({ model: 'e', input: 'x' }, 'embeddings');
    expect(stage.run(embeddings)).toBe(proceed);
    expect(embeddings.summary?.stream).toBe(false);
  });
});
