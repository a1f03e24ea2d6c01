import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeBinary, projectRoot } from './support/cli.js';

/**
 * The production guide's commands work as written. Every ```sh block in docs/production.md whose
 * first line is `# checked` is run here with `sh -e`, `gatehouse` being this build's command line,
 * in an empty directory with a clean environment (no provider keys, nothing reachable but this
 * machine). A ```text block right after it is the exact output the guide promises.
 */

const guidePath = 'docs/production.md';
const guide = readFileSync(join(projectRoot, guidePath), 'utf8');

interface Block {
  readonly language: string;
  readonly body: string;
  readonly line: number;
  readonly end: number;
}

const blocks: Block[] = [...guide.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
  language: match[1] ?? '',
  body: match[2] ?? '',
  line: guide.slice(0, match.index).split('\n').length,
  end: match.index + match[0].length,
}));

const checked = blocks.flatMap((block, index) => {
  if (block.language !== 'sh' || !block.body.startsWith('# checked\n')) return [];
  const next = blocks[index + 1];
  const adjacent =
    next !== undefined && guide.slice(block.end, guide.indexOf('```', block.end + 1)).trim() === '';
  const expected = adjacent && next.language === 'text' ? next.body : undefined;
  return [{ ...block, expected }];
});

function runShell(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-guide-'));
  const bin = join(directory, 'bin');
  mkdirSync(bin);
  const shim = join(bin, 'gatehouse');
  writeFileSync(shim, `#!/bin/sh\nexec '${nodeBinary}' '${join(projectRoot, 'dist', 'main.js')}' "$@"\n`);
  chmodSync(shim, 0o755);
  const work = join(directory, 'work');
  mkdirSync(work);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-e', '-c', script], {
      cwd: work,
      env: {
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: directory,
        GATEHOUSE_DATA_DIR: join(work, '.gatehouse'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('docs/production.md', () => {
  it('has checked commands, and checks every gatehouse command that can run here', () => {
    expect(checked.length).toBeGreaterThanOrEqual(3);
    // `capacity --from` needs running gateways and `start` runs until stopped; every other
    // gatehouse command in a shell block must be in a checked one.
    for (const block of blocks.filter((candidate) => candidate.language === 'sh')) {
      const runnable = block.body
        .split('\n')
        .filter((line) => /^gatehouse (capacity|check|init)\b/.test(line) && !line.includes('--from'));
      if (runnable.length > 0)
        expect(block.body.startsWith('# checked\n'), `${guidePath}:${block.line}`).toBe(true);
    }
  });

  it.each(checked.map((block) => [`${guidePath}:${block.line}`, block] as const))(
    'the commands at %s run and print what the guide shows',
    async (_, block) => {
      const result = await runShell(block.body);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      if (block.expected !== undefined) expect(result.stdout).toBe(block.expected);
    },
  );
});
