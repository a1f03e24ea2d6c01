/**
 * Preloaded (`node --import`) into the gateway by `gatehouse bench --soak`, which has no other way
 * to read the V8 heap of another process: Gatehouse exposes no heap figure yet. It answers each
 * `memory-sample-request` message on the IPC channel with `process.memoryUsage()`, and does
 * nothing else: no timer, no work unless asked. Outside a soak it is not loaded at all.
 */

interface MemorySampleRequest {
  readonly type: 'memory-sample-request';
}

function isSampleRequest(message: unknown): message is MemorySampleRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'memory-sample-request'
  );
}

if (process.send !== undefined) {
  process.on('message', (message: unknown) => {
    if (isSampleRequest(message)) process.send?.({ type: 'memory-sample', ...process.memoryUsage() });
  });
  // Node refs the channel on the tick after a 'message' listener is added; unref it after that,
  // so the channel never keeps the gateway alive once it has closed its server on SIGTERM.
  setImmediate(() => process.channel?.unref());
}

export {};
