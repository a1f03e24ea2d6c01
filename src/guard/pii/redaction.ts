import { rewriteAnswerText } from './answer-json.js';
import { createStreamTextRewriter, type StreamFrame } from './answer-stream.js';
import { maskAll } from './masking.js';
import type { PiiType } from './pii-types.js';
import { rewriteRequestText, type RequestDialect, type RequestOperation } from './request-redaction.js';
import { scanText } from './scanner.js';

/** Where a value was found and masked, as the detections metric labels it. */
export type DetectionPlace = 'request' | 'answer';

/** The request and answer rewriting the `guard.pii` settings ask for, counting what it masks. */
export interface PiiRedaction {
  /** Masks the text of a parsed request body, in place (members that changed are replaced). */
  request(body: Record<string, unknown>, dialect: RequestDialect, operation: RequestOperation): void;
  /** A whole answer's text masked; the same buffer when nothing was found. */
  jsonAnswer(body: Buffer, dialect: RequestDialect): Buffer;
  /** A rewriter for one answer stream's frames (it keeps the text each part still holds). */
  streamAnswer(dialect: RequestDialect): (frame: StreamFrame) => StreamFrame;
}

export function createPiiRedaction(
  types: ReadonlySet<PiiType>,
  found: (type: PiiType, place: DetectionPlace) => void,
): PiiRedaction {
  const scan = (text: string) => scanText(text, types);
  const rewriter = (place: DetectionPlace) => {
    const count = (type: PiiType) => found(type, place);
    return (text: string) => maskAll(text, scan, count);
  };
  const inRequest = rewriter('request');
  const inAnswer = rewriter('answer');
  const foundInAnswer = (type: PiiType) => found(type, 'answer');
  return {
    request: (body, dialect, operation) => rewriteRequestText(body, dialect, operation, inRequest),
    jsonAnswer: (body, dialect) => rewriteAnswerText(body, dialect, inAnswer),
    streamAnswer: (dialect) => createStreamTextRewriter(dialect, types, foundInAnswer),
  };
}
