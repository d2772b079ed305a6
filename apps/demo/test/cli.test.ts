import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Pids of processes that run in, or inherited an environment pointing at, `root` (Linux /proc). */
async function processesUsing(root: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (cwd.startsWith(root) || environ.includes(root)) found.push(Number(entry));
  }
  return found;
}

interface Run {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text`. */
  waitFor(text: string, timeoutMs: number): Promise<void>;
  exit: Promise<number | null>;
}

function startCli(tempRoot: string, args: string[] = []): Run {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TMPDIR: tempRoot, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    output: () => text,
    exit,
    waitFor(expected, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!text.includes(expected)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no "${expected}" within ${timeoutMs} ms; output so far:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

describe('pnpm demo (dist/cli.js)', () => {
  let tempRoot: string;
  let run: Run | undefined;

  beforeEach(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), 'fcs-demo-cli-test-'));
  });

  afterEach(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      run.child.kill('SIGKILL');
      await run.exit;
    }
    run = undefined;
    await rm(tempRoot, { recursive: true, force: true });
  });

  it('runs the whole flow, prints a check per expectation and exits 0', async () => {
    run = startCli(tempRoot);
    expect(await run.exit).toBe(0);
    const output = run.output();
    expect(output).toContain('✓ apps/chat: fcs-chat created, 2 sessions prefetched');
    expect(output).toMatch(/✓ \d+ passed, 0 failed; emulator, instances and temp dirs stopped and removed/);
    expect(output).toMatch(/\nDashboard: http:\/\/127\.0\.0\.1:\d+\/_emulator\/ui\?token=\S+\n/);
    expect(output).not.toContain('✗');
    expect(await readdir(tempRoot)).toEqual([]);
    expect(await processesUsing(tempRoot)).toEqual([]);
  }, 120_000);

  it('on Ctrl-C (SIGINT) stops s, the emulator and its instances, removes its temp dirs and exits 130', async () => {
    run = startCli(tempRoot);
    await run.waitFor('s deploy in each app folder', 60_000);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.output()).toContain('SIGINT: stopping the demo and cleaning up');
    expect(run.output()).toContain('stopped; everything the demo started is gone');
    expect(await readdir(tempRoot)).toEqual([]);
    expect(await processesUsing(tempRoot)).toEqual([]);
  }, 120_000);

  it('with --keep ends by printing the dashboard URL of an emulator still running, stopped by Ctrl-C', async () => {
    run = startCli(tempRoot, ['--keep']);
    await run.waitFor('Ctrl-C stops it', 120_000);
    const dashboard = /Dashboard: (\S+)/.exec(run.output())![1]!;
    const link = await fetch(dashboard, { redirect: 'manual' });
    expect(link.status).toBe(303);
    const cookie = link.headers.get('set-cookie')!.split(';')[0]!;
    const page = await fetch(new URL(link.headers.get('location')!, dashboard), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>FC emulator</title>');
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.output()).toContain('emulator stopped');
    expect(run.output()).not.toContain('✗');
    expect(await readdir(tempRoot)).toEqual([]);
    expect(await processesUsing(tempRoot)).toEqual([]);
  }, 180_000);

  it('refuses an unknown argument', async () => {
    run = startCli(tempRoot, ['--nope']);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain('usage: pnpm demo [--keep]');
  });
});
