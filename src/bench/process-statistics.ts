import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * CPU time and resident memory of a process, read from Linux's /proc. `utime + stime` in
 * /proc/<pid>/stat covers every thread of the process (Node's libuv pool and GC threads included),
 * which is what a proxy costs the machine.
 */

export interface ProcessSample {
  /** User plus system CPU time since the process started, in milliseconds. */
  readonly cpuMilliseconds: number;
  /** Resident set size, in bytes. */
  readonly rssBytes: number;
}

/** Clock ticks per second (`getconf CLK_TCK`); 100 on every common Linux when getconf is missing. */
export function readClockTicks(): Promise<number> {
  return new Promise((resolve) => {
    execFile('getconf', ['CLK_TCK'], { timeout: 2_000 }, (error, stdout) => {
      const ticks = Number(stdout.trim());
      resolve(error === null && Number.isInteger(ticks) && ticks > 0 ? ticks : 100);
    });
  });
}

/**
 * Fields 14 and 15 (utime, stime) of /proc/<pid>/stat. The second field, the command name, is in
 * parentheses and may itself contain spaces and parentheses, so counting starts after the last ')'.
 */
export function parseCpuTicks(stat: string): number {
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state), so field n is afterName[n - 3].
  const utime = Number(afterName[11]);
  const stime = Number(afterName[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`unexpected /proc stat line: ${stat}`);
  return utime + stime;
}

/** `VmRSS:   123456 kB` from /proc/<pid>/status, in bytes. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error('no VmRSS line in /proc status');
  return Number(match[1]) * 1024;
}

export async function sampleProcess(pid: number, clockTicks: number): Promise<ProcessSample> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
  ]);
  return { cpuMilliseconds: (parseCpuTicks(stat) * 1000) / clockTicks, rssBytes: parseRssBytes(status) };
}
