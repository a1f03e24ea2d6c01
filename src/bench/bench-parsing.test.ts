import { describe, expect, it } from 'vitest';
import { parseNameList, targetNames } from './bench-options.js';
import { parseCpuTicks, parseRssBytes } from './process-statistics.js';
import { median, rank, slope, spread } from './statistics.js';
import { countEvents } from './target-check.js';
import { parseWrkOutput, wrkScript } from './wrk-load.js';

const wrkOutput = `Running 1s test @ http://127.0.0.1:44965/v1/chat/completions
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.65ms    2.15ms  30.92ms   94.92%
    Req/Sec     7.55k     2.16k    9.76k    60.00%
  Latency Distribution
     50%  812.00us
     75%    1.45ms
     90%    2.50ms
     99%   12.38ms
  7505 requests in 1.00s, 6.11MB read
  Non-2xx or 3xx responses: 5
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   7484.56
Transfer/sec:      6.10MB
`;

describe('benchmark parsers', () => {
  it('reads wrk latency percentiles in every unit, its request count and its errors', () => {
    const result = parseWrkOutput(wrkOutput);
    expect(result.latency).toEqual({ p50: 0.812, p90: 2.5, p99: 12.38 });
    expect(result.elapsedSeconds).toBe(1);
    expect(result.completed).toBe(7500);
    expect(result.errors).toBe(8);
  });

  it('refuses wrk output without a request count', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/wrk/);
  });

  it('writes a wrk script that reads the bodies from a file, one per line, and sets every header', () => {
    const script = wrkScript('/tmp/body.json', { authorization: 'Bearer "quoted"' });
    expect(script).toContain('io.lines("/tmp/body.json")');
    expect(script).toContain('wrk.headers["authorization"] = "Bearer \\"quoted\\""');
  });

  it('reads CPU ticks after a command name that contains spaces and parentheses', () => {
    const stat = '1234 (node (bench) x) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 1000';
    expect(parseCpuTicks(stat)).toBe(300);
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t   51200 kB\nVmSwap:\t0 kB\n')).toBe(51_200 * 1024);
  });

  it('counts server-sent events, [DONE] included', () => {
    expect(countEvents('data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n')).toBe(3);
    expect(countEvents(': keep-alive\n\ndata: x\r\n\r\n')).toBe(1);
  });

  it('computes nearest-rank percentiles, medians, spread and slope', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, index) => index + 1);
    expect(rank(sorted, 0.5)).toBe(50);
    expect(rank(sorted, 0.99)).toBe(99);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(spread([90, 100, 110])).toBeCloseTo(0.1);
    expect(slope([0, 1, 2, 3].map((x) => ({ x, y: 5 + 2 * x })))).toBeCloseTo(2);
  });

  it('accepts known target names only', () => {
    expect(parseNameList('bare, gatehouse,bare', targetNames, 'target')).toEqual(['bare', 'gatehouse']);
    expect(() => parseNameList('bare,nginx', targetNames, 'target')).toThrow(/unknown target "nginx"/);
  });
});
