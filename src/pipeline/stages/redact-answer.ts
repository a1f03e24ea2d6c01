import type { PiiRedaction } from '../../guard/pii/index.js';
import { mapFrames, type Frame } from '../frames.js';
import type { AnswerStage } from '../stage.js';

/**
 * `guard.pii.redact_answers`: personal data and credentials in the text of a chat answer are
 * masked before the caller gets it, whole answers and streams alike (cached replays too: they pass
 * the answer stages as well). A stream's text is held back only as far as a value may still be
 * arriving (docs/pii.md: at most 4096 characters per choice or content block, in practice the last
 * partial word). An error of the rewriting is reported and the answer goes on as it came.
 */
export function createRedactAnswerStage(
  redaction: PiiRedaction,
  failed: (error: unknown) => void,
): AnswerStage {
  return {
    name: 'redact-answer',
    wrap(answer, call) {
      const { dialect, operation } = call.context;
      if (operation !== 'chat') return answer;
      if (answer.type === 'json') {
        try {
          return { ...answer, body: redaction.jsonAnswer(answer.body, dialect) };
        } catch (error) {
          failed(error);
          return answer;
        }
      }
      const rewrite = redaction.streamAnswer(dialect);
      const rewriteFrame = (frame: Frame): Frame => {
        try {
          return rewrite(frame);
        } catch (error) {
          failed(error);
          return frame;
        }
      };
      return { ...answer, frames: mapFrames(answer.frames, rewriteFrame) };
    },
  };
}
