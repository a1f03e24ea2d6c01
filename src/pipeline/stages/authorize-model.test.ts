import { describe, expect, it } from 'vitest';
import { proceed, type StageResult } from '../stage.js';
import { chatBody, validatedCall } from '../test-fakes.js';
import { authorizeModelStage } from './authorize-model.js';

describe('the authorize-model stage', () => {
  it('lets a key use the models its patterns allow, and refuses the others', () => {
    expect(authorizeModelStage.run(validatedCall())).toBe(proceed);
    const refused = authorizeModelStage.run(validatedCall({ ...chatBody, model: 'claude' })) as StageResult;
    expect(refused.type === 'reject' && refused.error.code).toBe('model_not_allowed');
  });
});
