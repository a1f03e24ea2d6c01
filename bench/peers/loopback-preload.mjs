// Loaded with `node --import` before a peer gateway whose start script has no host option and
// listens on every interface (Portkey's start-server.js). It makes every TCP listen bind 127.0.0.1,
// so the benchmark never opens a port to the network, and prints the bound address on stdout as
// `peer listening on http://127.0.0.1:PORT`, so the harness can start the peer on port 0 and still
// find it (the peer's own banner prints the port it was asked for, not the one it got).
import net from 'node:net';

const loopback = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

function announce(server) {
  const address = server.address();
  if (address !== null && typeof address === 'object') {
    process.stdout.write(`peer listening on http://${loopback}:${address.port}\n`);
  }
}

net.Server.prototype.listen = function listenOnLoopback(...parameters) {
  const [first] = parameters;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, callback]): keep the callback, drop any host and backlog.
    const callback = parameters.find((parameter) => typeof parameter === 'function');
    this.once('listening', () => announce(this));
    return callback === undefined
      ? originalListen.call(this, Number(first), loopback)
      : originalListen.call(this, Number(first), loopback, callback);
  }
  if (first !== null && typeof first === 'object' && !('fd' in first) && !('path' in first) && !('_handle' in first)) {
    this.once('listening', () => announce(this));
    return originalListen.call(this, { ...first, host: loopback }, ...parameters.slice(1));
  }
  // A Unix socket, a handle or a file descriptor is not a network port: leave it alone.
  return originalListen.apply(this, parameters);
};
