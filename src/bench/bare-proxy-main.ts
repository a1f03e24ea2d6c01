import { parseArgs } from 'node:util';
import { startBareProxy } from './bare-proxy.js';

/**
 * Process entry of the bare proxy, spawned by the benchmark as its own process (like main.ts for
 * the gateway, this is the one module of that process that reads argv and installs signal
 * handlers). Prints `bare proxy listening on <url>` once it listens.
 */
const { values } = parseArgs({
  options: {
    upstream: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (values.upstream === undefined) {
  process.stderr.write('bare proxy: --upstream <url> is required\n');
  process.exit(2);
}
const proxy = await startBareProxy({
  upstreamUrl: values.upstream,
  port: Number(values.port),
  host: values.host,
});
process.stdout.write(`bare proxy listening on ${proxy.url}\n`);
const stop = (): void => {
  proxy.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
