import { request, type Dispatcher } from 'undici';
import type { DeliveryResult } from './channel.js';
import { describeError } from './delivery-attempt.js';
import { resultOfStatus, retryAfterMs } from './retry-policy.js';

export interface HttpPostRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One POST of a JSON body, as a delivery result; never throws. */
export type HttpPost = (post: HttpPostRequest, signal: AbortSignal) => Promise<DeliveryResult>;

/**
 * The HTTP channels' client: undici over the dispatcher the composition root gives (its connect
 * timeout and pools). Redirects are not followed: a webhook that moved is a configuration to fix,
 * and following one would send the signed body, or Slack's secret path, somewhere not configured.
 * The answer's body is read and discarded: receivers say what they mean with the status.
 */
export function createHttpPost(dispatcher: Dispatcher, now: () => number = Date.now): HttpPost {
  return async (post, signal) => {
    try {
      const response = await request(post.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'gatehouse-notifications',
          ...post.headers,
        },
        body: post.body,
        signal,
        dispatcher,
      });
      await response.body.dump();
      return resultOfStatus(response.statusCode, retryAfterMs(response.headers['retry-after'], now()));
    } catch (error) {
      return { type: 'retryable', reason: describeError(error) };
    }
  };
}
