import { type ChildProcess, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManifestStore } from '../src/core/manifest.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { collectOutput, run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const FCS = fileURLToPath(new URL('../bin/fcs.cjs', import.meta.url));

describe('fcs keep (the command line, against the emulator)', () => {
  let emu: TestEmulator;
  let cwd: string;
  const tmp = tempDirs();
  const children: ChildProcess[] = [];
  const region = ['--region', 'cn-hangzhou'];
  const fcs = (args: string[]) => run(process.execPath, [FCS, ...args], { cwd, env: emu.env });
  /** A keeper in the background; `lines` fills with its JSON reports. */
  const start = (args: string[]) => {
    const child = spawn(process.execPath, [FCS, 'keep', ...args, ...region, '--json'], {
      cwd,
      env: { PATH: process.env['PATH'], ...emu.env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(child);
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        lines.push(JSON.parse(buffer.slice(0, at)));
        buffer = buffer.slice(at + 1);
      }
    });
    const exited = new Promise<number | null>((done) =>
      child.once('close', (code, signal) => done(code ?? (signal ? -1 : null))),
    );
    return { child, lines, exited };
  };
  const manifestOf = (functionName: string, qualifier = 'LATEST') =>
    new ManifestStore(`${cwd}/.fcs/sessions`, {
      region: 'cn-hangzhou',
      functionName,
      qualifier,
      endpoint: emu.emulator.endpoint,
    });
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    emu = await startTestEmulator();
    for (const name of ['alpha', 'beta', 'killed', 'plain', 'interrupted', 'status', 'refused', 'released']) {
      await deployHello(emu.client, name);
    }
    await deployHello(emu.client, 'unsessioned', 'NONE');
    cwd = await tmp.make();
  });
  afterEach(() => emu.emulator.faults.clear());
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await emu?.stop();
    await tmp.cleanup();
  });

  it('refuses bad flags with exit 2 before any call, and shows its help', async () => {
    const help = await fcs(['keep', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--interval', '--renew-before', '--grace', '--keep-alive', '--once', '-n, --count']) {
      expect(help.stdout).toContain(flag);
    }
    const bad = await fcs(['keep', 'alpha', '-n', '1', '--keep-alive', 'ping', ...region]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--keep-alive must be one of none, invoke') });
    const late = await fcs(['keep', 'alpha', '-n', '1', '--ttl', '60', '--renew-before', '60', ...region]);
    expect(late).toMatchObject({ code: 2, stderr: expect.stringContaining('--renew-before must be less than') });
    const slow = await fcs(['keep', 'alpha', '-n', '1', '--interval', '600', ...region]);
    expect(slow).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--interval must be at most renewBeforeSeconds (300, the default)'),
    });
    const none = await fcs(['keep', 'unsessioned', '-n', '1', '--once', ...region]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('AffinityUnsupported') });
  });

  it('--once keeps several functions: one JSON line, exit 0', async () => {
    const once = await fcs(['keep', 'alpha', 'beta', '-n', '2', '--once', '--json', ...region]);
    expect(once.code).toBe(0);
    const lines = once.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string);
    expect(report).toMatchObject({ reconcile: 1, desired: 4, active: 4, created: 4, converged: true });
    expect(report.targets.map((t: { functionName: string }) => t.functionName)).toEqual(['alpha', 'beta']);
    expect(await activeSessionIds(emu.client, 'beta')).toHaveLength(2);
    const text = await fcs(['keep', 'alpha', '-n', '2', '--once', ...region]);
    expect(text).toMatchObject({ code: 0, stdout: '' });
    expect(text.stderr).toMatch(/^keep #1: 2\/2 active \(0 created, 0 renewed/);
  });

  it('SIGTERM: the reconcile running finishes, the lock is released, the sessions stay (exit 130)', async () => {
    const keeper = start(['plain', '-n', '2', '--interval', '1']);
    await waitFor(() => keeper.lines.length >= 2, 15_000);
    keeper.child.kill('SIGTERM');
    expect(await keeper.exited).toBe(130);
    expect(await exists(`${manifestOf('plain').path}.lock`)).toBe(false);
    const recorded = (await manifestOf('plain').load()).sessions.map((s) => s.sessionId).sort();
    expect(await activeSessionIds(emu.client, 'plain')).toEqual(recorded);
    expect(recorded).toHaveLength(2);
  });

  it('SIGINT (Ctrl-C) mid-reconcile: that reconcile finishes and reports, no other starts, the lock is released, the sessions stay (exit 130)', async () => {
    // Prepare: creates slow enough that the signal lands while the first reconcile holds the lock
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', latencyMs: 800 }] });
    const keeper = start(['interrupted', '-n', '2', '--interval', '1']);
    const lock = `${manifestOf('interrupted').path}.lock`;
    await waitFor(() => exists(lock), 15_000, 'the first reconcile to take the lock');

    // Act
    keeper.child.kill('SIGINT');

    // Assess: the one reconcile ran to the end (its sessions made and recorded), and said it was the last
    expect(await keeper.exited).toBe(130);
    expect(keeper.lines).toHaveLength(1);
    expect(keeper.lines[0]).toMatchObject({ reconcile: 1, active: 2, created: 2, failed: 0, converged: true });
    expect(keeper.lines[0]?.['nextInMs']).toBeUndefined();
    expect(await exists(lock)).toBe(false);
    const manifest = await manifestOf('interrupted').load();
    expect(manifest.sessions.map((s) => s.state)).toEqual(['active', 'active']);
    expect(await activeSessionIds(emu.client, 'interrupted')).toEqual(manifest.sessions.map((s) => s.sessionId).sort());
  });

  it('on a terminal: one status line rewritten in place per reconcile (\\r, erase line), ended by a newline on stop', async () => {
    // Prepare: stderr is a pipe that says it is a terminal (what cli.ts reads), stdout a plain pipe
    const child = spawn(
      process.execPath,
      [
        '--import',
        'data:text/javascript,process.stderr.isTTY=true',
        FCS,
        'keep',
        'status',
        '-n',
        '1',
        '--interval',
        '1',
        ...region,
      ],
      { cwd, env: { PATH: process.env['PATH'], ...emu.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const output = collectOutput(child);
    const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
    await waitFor(() => output.stderr.includes('keep #3:'), 15_000, 'three status frames');

    // Act
    child.kill('SIGINT');

    // Assess: frames only (no newline between them), numbered in order, the newline last
    expect(await exited).toBe(130);
    const { stdout, stderr } = output;
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    const frames = stderr.slice(0, -1).split('\r\u001b[K');
    expect(frames[0]).toBe('');
    expect(frames.slice(1).every((frame) => !/[\r\n]/.test(frame))).toBe(true);
    expect(frames.slice(1).map((frame) => frame.match(/^keep #(\d+): 1\/1 active /)?.[1])).toEqual(
      frames.slice(1).map((_, i) => String(i + 1)),
    );
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(frames[1]).toMatch(/\(1 created, .*; next in \d\.\d s$/);
  });

  it('--once that does not converge exits 5, its JSON line counting the failures', async () => {
    // Prepare: FC refuses every CreateSession
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', throttleRate: 1 }] });

    // Act
    const once = await fcs(['keep', 'refused', '-n', '2', '--once', '--json', ...region]);

    // Assess
    expect(once.code).toBe(5);
    const lines = once.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] as string);
    expect(report).toMatchObject({
      reconcile: 1,
      desired: 2,
      active: 0,
      created: 0,
      converged: false,
      throttled: true,
    });
    expect(report.failed).toBeGreaterThan(0);
    expect(report.targets[0].errors[0]).toMatchObject({ status: 429 });
    expect(await activeSessionIds(emu.client, 'refused')).toEqual([]);
  });

  it('--qualifier keeps the sessions of an alias: its own manifest (<region>.<function>.<alias>.json), sessions on the alias', async () => {
    // Prepare: version 1 of the function behind the alias prod
    const { versionId } = await emu.client.publishFunctionVersion('released');
    await emu.client.createAlias('released', { aliasName: 'prod', versionId });

    // Act
    const once = await fcs(['keep', 'released', '-n', '2', '--qualifier', 'prod', '--once', '--json', ...region]);

    // Assess
    expect(once.code).toBe(0);
    const report = JSON.parse(once.stdout);
    const path = manifestOf('released', 'prod').path;
    expect(path.endsWith('/cn-hangzhou.released.prod.json')).toBe(true);
    expect(report).toMatchObject({ active: 2, converged: true });
    expect(report.targets[0]).toMatchObject({ functionName: 'released', qualifier: 'prod', manifestPath: path });
    expect(await exists(path)).toBe(true);
    expect(await exists(manifestOf('released').path)).toBe(false);
    const manifest = await manifestOf('released', 'prod').load();
    expect(manifest.qualifier).toBe('prod');
    const ids = manifest.sessions.map((s) => s.sessionId).sort();
    expect(ids).toHaveLength(2);
    expect(await activeSessionIds(emu.client, 'released', 'prod')).toEqual(ids);
    for (const id of ids) {
      expect(await emu.client.getSession('released', id, { qualifier: 'prod' })).toMatchObject({ qualifier: 'prod' });
    }
  });

  it('kill -9 of the keeper and a restart continue from the manifest: exactly N, nothing leaked', {
    timeout: 40_000,
  }, async () => {
    // Prepare: a keeper renewing every few seconds, killed mid-flight
    const args = ['killed', '-n', '3', '--interval', '1', '--ttl', '5', '--renew-before', '2', '--grace', '1'];
    const first = start(args);
    await waitFor(() => first.lines.some((l) => (l['renewed'] as number) > 0), 20_000);
    first.child.kill('SIGKILL');
    await first.exited;

    // Act: a new keeper on the same manifest (the dead one's lock is stale)
    const second = start(args);
    await waitFor(() => second.lines.length >= 4, 20_000);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(130);

    // Assert: every Active session is recorded, N hold a slot, the rest are retiring (the renewal surge)
    const manifest = await manifestOf('killed').load();
    const active = await activeSessionIds(emu.client, 'killed');
    expect(active.every((id) => manifest.sessions.some((s) => s.sessionId === id))).toBe(true);
    expect(manifest.sessions.filter((s) => s.state === 'active')).toHaveLength(3);
    expect(active.length).toBeLessThanOrEqual(6);
    expect(second.lines.at(-1)).toMatchObject({ active: 3, converged: true });
    expect(await exists(`${manifestOf('killed').path}.lock`)).toBe(false);
    const pruned = await fcs(['prune', 'killed', ...region]);
    expect(pruned.code).toBe(0);
    expect(await activeSessionIds(emu.client, 'killed')).toEqual([]);
  });
});
