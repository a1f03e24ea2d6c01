import { mayUseModel, modelNotAllowedError } from '../../keys/index.js';
import { principalOf, proceed, summaryOf, type RequestStage } from '../stage.js';

/** The key may use the model it asked for (its allow-list). */
export const authorizeModelStage: RequestStage = {
  name: 'authorize-model',
  run(call) {
    const { model } = summaryOf(call);
    return mayUseModel(principalOf(call), model)
      ? proceed
      : { type: 'reject', error: modelNotAllowedError(model) };
  },
};
