import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * Preloaded (`node --import`) into the gateway by `gatehouse bench --soak`, which has no other way
 * to read the V8 heap of another process: Gatehouse exposes no heap figure yet. It answers each
 * `memory-sample-request` message on the IPC channel with `process.memoryUsage()` and the heap
 * used right after the latest full (mark-compact) collection. A sampled `heapUsed` is a sawtooth
 * between collections; the heap after a full collection is its floor, the figure a leak raises.
 * Outside a soak it is not loaded at all.
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
  let heapAfterFullCollection: number | undefined;
  // Full collections come seconds or minutes apart, so this runs rarely; scavenges are ignored.
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (
        (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind ===
        constants.NODE_PERFORMANCE_GC_MAJOR
      ) {
        heapAfterFullCollection = getHeapStatistics().used_heap_size;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  process.on('message', (message: unknown) => {
    if (isSampleRequest(message)) {
      process.send?.({ type: 'memory-sample', ...process.memoryUsage(), heapAfterFullCollection });
    }
  });
  // Node refs the channel on the tick after a 'message' listener is added; unref it after that,
  // so the channel never keeps the gateway alive once it has closed its server on SIGTERM.
  setImmediate(() => process.channel?.unref());
}
