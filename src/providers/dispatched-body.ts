import type { Dispatcher } from 'undici';

/** Chunks held before the upstream connection is paused; read as they come, it never fills. */
const highWaterChunks = 16;

/**
 * A response body fed by an undici dispatch handler and read as an async iterator: each chunk goes
 * straight to a waiting read, or is queued (the connection is paused while the reader lags). It
 * replaces undici's body stream on the streaming path, whose stream machinery cost more per
 * event than the relay's own work on it. A failure (the connection cut, the request aborted)
 * rejects the pending or next read.
 */
export class DispatchedBody implements AsyncIterable<Uint8Array> {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private paused = false;
  private waiter:
    { resolve(result: IteratorResult<Uint8Array>): void; reject(error: Error): void } | undefined;

  constructor(
    private readonly controller: Dispatcher.DispatchController,
    private readonly abortError: () => Error,
  ) {}

  push(chunk: Buffer): void {
    const waiter = this.waiter;
    if (waiter !== undefined) {
      this.waiter = undefined;
      waiter.resolve({ done: false, value: chunk });
      return;
    }
    this.chunks.push(chunk);
    if (!this.paused && this.chunks.length >= highWaterChunks) {
      this.paused = true;
      this.controller.pause();
    }
  }

  end(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
  }

  fail(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  /** Stops the response: the connection is aborted, what was queued dropped, and reads reject. */
  cancel(): void {
    if (this.ended || this.failure !== undefined) return;
    const error = this.abortError();
    this.chunks.length = 0;
    this.fail(error);
    this.controller.abort(error);
  }

  read(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.chunks.shift();
    if (chunk !== undefined) {
      if (this.paused && this.chunks.length === 0) {
        this.paused = false;
        this.controller.resume();
      }
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The rest of the body at once. */
  async bytes(): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const next = await this.read();
      if (next.done === true) return Buffer.concat(chunks);
      chunks.push(next.value);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.read(),
      return: () => {
        this.cancel();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
