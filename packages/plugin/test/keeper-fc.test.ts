import { cp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { plain, run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const S = join(createRequire(import.meta.url).resolve('@serverless-devs/s/package.json'), '..', 'bin', 's');
const FCS = fileURLToPath(new URL('../bin/fcs.cjs', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/devs-project', import.meta.url));
const KEPT = 'kfc-hello';
const KEEPER = 'kfc-hello--keeper';
const ours = (ids: string[]) => ids.filter((id) => /^fcs-keep-[0-9a-f]{32}$/.test(id));

// The keeper on FC, end to end with no fcs or keep process running: the real s CLI deploys it
// (args.keeper), the emulator's timer trigger runs it every 2 s with the role's STS keys (the keeper
// function's timeout is that gap, so runs never overlap), and `fcs prune` removes it with everything it made.
describe('the keeper on FC (s deploy with args.keeper, the emulator timer trigger, fcs prune)', () => {
  let emu: TestEmulator;
  let project: string;
  let home: string;
  const tmp = tempDirs();
  const env = () => ({
    NODE_ENV: 'test',
    serverless_devs_config_home: home,
    FCS_PLUGIN_ROOT: ROOT.replace(/\/$/, ''),
    ...emu.env,
  });
  const deploy = () =>
    run(process.execPath, [S, 'deploy', '-t', 'keeper.yaml'], { cwd: project, env: env(), timeoutMs: 60_000 });
  const active = async () => ours(await activeSessionIds(emu.client, KEPT));

  beforeAll(async () => {
    emu = await startTestEmulator();
    project = await tmp.make('fcs-keeper-fc-');
    home = await tmp.make('fcs-keeper-fc-home-');
    await cp(FIXTURE, project, { recursive: true });
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('s deploy deploys the keeper function and its timer trigger, and its first run makes the N sessions', {
    timeout: 60_000,
  }, async () => {
    const deployed = await deploy();
    const out = plain(deployed.stdout + deployed.stderr);
    expect(deployed.code, out).toBe(0);
    expect(out).toContain(`keeper ${KEEPER}: function created, timer trigger fcs-keeper (@every 2s) created`);
    const keeper = await emu.client.getFunction(KEEPER);
    // timeoutSeconds (600) and 30 s for the start, but no longer than the 2 s between two fires.
    expect(keeper.timeout).toBe(2);
    expect(keeper.environmentVariables).toMatchObject({
      FCS_KEEP_FUNCTION_NAME: KEPT,
      FCS_KEEP_COUNT: '2',
      FCS_KEEP_SESSION_TTL_IN_SECONDS: '8',
    });
    expect((await emu.client.getTrigger(KEEPER, 'fcs-keeper')).triggerConfig).toMatchObject({
      cronExpression: '@every 2s',
      enable: true,
    });
    expect(await active()).toHaveLength(2);
    // No local manifest: the keeper's state is FC's list.
    expect(await activeSessionIds(emu.client, KEPT)).toHaveLength(2);
  });

  it('fcs invoke and s invoke with no --session-id call into a session the keeper keeps (read from FC, no manifest)', {
    timeout: 60_000,
  }, async () => {
    const kept = await active();
    const viaFcs = await run(process.execPath, [FCS, 'invoke', KEPT, '-e', 'hi', '--region', 'cn-hangzhou', '--json'], {
      cwd: project,
      env: emu.env,
    });
    expect(viaFcs.code, viaFcs.stderr).toBe(0);
    const report = JSON.parse(viaFcs.stdout);
    expect(report.sessionSource).toBe('keeper');
    expect(report.errorType).toBeUndefined();
    expect(kept).toContain(report.sessionId);
    const viaS = await run(process.execPath, [S, 'invoke', '-t', 'keeper.yaml', '-e', 'hi'], {
      cwd: project,
      env: env(),
      timeoutMs: 60_000,
    });
    const out = plain(viaS.stdout + viaS.stderr);
    expect(viaS.code, out).toBe(0);
    expect(out).toMatch(/SessionId: fcs-keep-[0-9a-f]{32} \(kept on FC\)/);
  });

  it('keeps N with no process of ours running: through renewals past the TTL, and a session deleted from outside is replaced', {
    timeout: 30_000,
  }, async () => {
    const [victim] = await active();
    await emu.client.deleteSession(KEPT, victim as string);
    await waitFor(
      async () => {
        const ids = await active();
        return ids.length >= 2 && !ids.includes(victim as string);
      },
      // The next run, or the one after when a loaded machine started it after its deadline (it skips).
      10_000,
      'the deleted session to be replaced by the next runs (2 s apart)',
    );
    // 10 s, longer than the 8 s TTL: every session is renewed at least once, and the count stays at N.
    const first = new Set(await active());
    let below = 0;
    let longestBelow = 0;
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      const n = (await active()).length;
      const now = Date.now();
      if (n < 2) below ||= now;
      else below = 0;
      if (below) longestBelow = Math.max(longestBelow, now - below);
      // N in their slots, one retiring per slot, and one per slot from a run its deadline cut short
      // whose create landed after the next run had read the list (that run's successor trims it).
      expect(n).toBeLessThanOrEqual(6);
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(longestBelow).toBeLessThan(2_500);
    const last = await active();
    expect(last.length).toBeGreaterThanOrEqual(2);
    expect(last.some((id) => first.has(id))).toBe(false);
  });

  it('a redeploy with nothing changed leaves the keeper function and its trigger as they are', {
    timeout: 60_000,
  }, async () => {
    const before = (await emu.client.getFunction(KEEPER)).lastModifiedTime;
    const again = await deploy();
    const out = plain(again.stdout + again.stderr);
    expect(again.code, out).toBe(0);
    expect(out).toContain(`keeper ${KEEPER}: function unchanged, timer trigger fcs-keeper (@every 2s) unchanged`);
    expect((await emu.client.getFunction(KEEPER)).lastModifiedTime).toBe(before);
  });

  it('fcs prune removes the trigger, the keeper function and every session: nothing is left, nothing comes back', {
    timeout: 30_000,
  }, async () => {
    const pruned = await run(process.execPath, [FCS, 'prune', KEPT, '--region', 'cn-hangzhou', '--json'], {
      cwd: project,
      env: emu.env,
    });
    expect(pruned.code, pruned.stderr).toBe(0);
    const result = JSON.parse(pruned.stdout);
    expect(result.keeper).toMatchObject({ functionName: KEEPER, triggers: ['fcs-keeper'] });
    await expect(emu.client.getFunction(KEEPER)).rejects.toMatchObject({ status: 404 });
    await waitFor(async () => (await activeSessionIds(emu.client, KEPT)).length === 0, 3_000, 'no session left');
    // With its trigger and function gone no run can start, and once no keeper instance is left none
    // is under way: nothing can re-create the sessions after this point.
    await waitFor(
      async () => (await emu.emulator.instances()).every((instance) => instance.functionName !== KEEPER),
      5_000,
      'no keeper instance left',
    );
    expect(await activeSessionIds(emu.client, KEPT)).toEqual([]);
  });

  it('s remove: the pre-remove plugin removes the keeper and its sessions, then the component the function', {
    timeout: 60_000,
  }, async () => {
    const deployed = await deploy();
    expect(deployed.code, plain(deployed.stdout + deployed.stderr)).toBe(0);
    expect(await active()).toHaveLength(2);
    const removed = await run(process.execPath, [S, 'remove', '-t', 'keeper.yaml', '-y'], {
      cwd: project,
      env: env(),
      timeoutMs: 60_000,
    });
    const out = plain(removed.stdout + removed.stderr);
    expect(removed.code, out).toBe(0);
    expect(out).toMatch(
      /removed keeper function kfc-hello--keeper \(triggers: fcs-keeper\)[\s\S]*prune kfc-hello@LATEST: \d+ deleted, 0 pending, 0 failed/,
    );
    expect(out).toContain(`removed function ${KEPT}`);
    await expect(emu.client.getFunction(KEEPER)).rejects.toMatchObject({ status: 404 });
    await expect(emu.client.getFunction(KEPT)).rejects.toMatchObject({ status: 404 });
  });

  it('a keeper with no role gets no keys (as on FC): its first run fails and the deploy names the role', {
    timeout: 30_000,
  }, async () => {
    const deployed = await run(process.execPath, [S, 'deploy', '-t', 'keeper-no-role.yaml'], {
      cwd: project,
      env: env(),
      timeoutMs: 60_000,
    });
    const out = plain(deployed.stdout + deployed.stderr);
    expect(deployed.code, out).not.toBe(0);
    expect(out).toContain(
      'KeeperIncomplete: the keeper kfc-no-role--keeper is deployed, but its first run failed: UnhandledInvocationError: the keeper function got no credentials (context.credentials): give it a role (args.keeper.role)',
    );
    expect(await activeSessionIds(emu.client, 'kfc-no-role')).toEqual([]);
  });

  it('fcs prune reports a keeper whose $FCS_KEEP_QUALIFIER is not valid and removes it with its sessions, rather than skipping it', {
    timeout: 30_000,
  }, async () => {
    // Prepare: a keeper of kfc-bad@LATEST, its FCS_KEEP_QUALIFIER written by hand, with a session of its prefix
    await deployHello(emu.client, 'kfc-bad');
    await deployHello(emu.client, 'kfc-bad--keeper');
    await emu.client.updateFunction('kfc-bad--keeper', {
      environmentVariables: {
        FCS_KEEP_FUNCTION_NAME: 'kfc-bad',
        FCS_KEEP_COUNT: '1',
        FCS_KEEP_QUALIFIER: 'not a qualifier!',
      },
    });
    await emu.client.createTrigger('kfc-bad--keeper', {
      triggerName: 'fcs-keeper',
      triggerType: 'timer',
      triggerConfig: { cronExpression: '@every 1h', enable: false, payload: '' },
    });
    const kept = `fcs-keep-${'a'.repeat(32)}`;
    await emu.client.createSession('kfc-bad', { sessionId: kept });

    // Act
    const pruned = await run(process.execPath, [FCS, 'prune', 'kfc-bad', '--region', 'cn-hangzhou', '--json'], {
      cwd: project,
      env: emu.env,
    });

    // Assert: named on stderr, and removed as a keeper is
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stderr).toContain('warning: the keeper function kfc-bad--keeper: $FCS_KEEP_QUALIFIER must be');
    expect(JSON.parse(pruned.stdout).keeper).toMatchObject({
      functionName: 'kfc-bad--keeper',
      triggers: ['fcs-keeper'],
      deleted: [kept],
    });
    await expect(emu.client.getFunction('kfc-bad--keeper')).rejects.toMatchObject({ status: 404 });
    expect(await activeSessionIds(emu.client, 'kfc-bad')).toEqual([]);
  });
});
