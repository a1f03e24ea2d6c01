import type { AnswerStage } from '../stage.js';

/**
 * The first answer stage: an answer routing produced is stored for later hits as it passes (the
 * stream is observed, never held back). Calls the cache stage left no recorder pass untouched.
 */
export const cacheRecordStage: AnswerStage = {
  name: 'cache-record',
  wrap(answer, call) {
    const recorder = call.cacheRecorder;
    if (recorder === undefined || answer.answered === undefined) return answer;
    if (answer.type === 'json') {
      void recorder.json(answer.body, answer.answered);
      return answer;
    }
    if (answer.ending === undefined) return answer;
    return { ...answer, frames: recorder.stream(answer.frames, answer.ending, answer.answered).frames };
  },
};
