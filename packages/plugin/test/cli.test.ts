import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

// The built bin (turbo builds the package before its tests).
const FCS = fileURLToPath(new URL('../bin/fcs.cjs', import.meta.url));

describe('fcs (the command line)', () => {
  let emu: TestEmulator;
  let cwd: string;
  const tmp = tempDirs();
  const fcs = (args: string[], env: Record<string, string> = emu.env, input?: string) =>
    run(process.execPath, [FCS, ...args], { cwd, env, ...(input === undefined ? {} : { input }) });
  const json = async (args: string[], env?: Record<string, string>) => {
    const result = await fcs([...args, '--json'], env);
    return { ...result, data: JSON.parse(result.stdout) };
  };

  beforeAll(async () => {
    emu = await startTestEmulator();
    await deployHello(emu.client, 'hello');
    await deployHello(emu.client, 'plain', 'NONE');
    cwd = await tmp.make();
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('prints help for the tool and for every command, with the exit codes', async () => {
    const help = await fcs(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: fcs <command>');
    expect(help.stdout).toContain('5  prefetch or prune did not reach its goal');
    for (const command of [['invoke'], ['prefetch'], ['prune'], ['session', 'create'], ['session', 'remove']]) {
      const result = await fcs([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage:\n  fcs ${command[0] === 'session' ? 'session' : command[0]}`);
      expect(result.stdout).toContain('--endpoint <url>');
    }
    expect((await fcs(['session', '--help'])).stdout).toContain('create    Create a session');
    expect((await fcs([])).code).toBe(2);
    expect((await fcs(['session'])).code).toBe(2);
    const unknown = await fcs(['deploy']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "deploy"') });
    expect((await fcs(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('refuses bad arguments with exit 2 and the flag named, before any call', async () => {
    const closed = { ...emu.env, FCS_ENDPOINT: 'http://127.0.0.1:9' };
    const cases: [string[], string][] = [
      [['prefetch', 'hello', '-n', '-1'], '--count must be an integer from 0 to 1000; got "-1"'],
      [['prefetch', 'hello'], '--count is required'],
      [['prefetch', 'hello', '-n', '1', '--on-failure', 'ignore'], '--on-failure must be one of fail, warn'],
      [['invoke'], '--function-name is required'],
      [['invoke', 'hello', '--async-task-id', 'job'], '--async-task-id only applies with --invocation-type Async'],
      [['invoke', 'hello', '-e', 'x', '-f', 'y'], 'event cannot be given together with eventFile'],
      [['invoke', 'hello', '-f', 'missing.json'], 'eventFile "missing.json" cannot be read'],
      [['invoke', 'hello', '--header', 'novalue'], '--header must look like "name: value"'],
      [['session', 'get', 'hello'], '--session-id is required'],
      [
        ['session', 'create', 'hello', '--ttl', '0'],
        '--session-ttl-in-seconds must be an integer from 1 to 21600; got "0"',
      ],
      [['session', 'create', 'hello', '--session-id=-bad'], '--session-id must be 1-64 characters'],
      [['session', 'list', 'hello', '--limit', '101'], '--limit must be an integer from 1 to 100'],
      [['invoke', '9fn'], 'function must be 1-128 characters'],
      [['invoke', 'hello', '--wat'], '--wat is not an option of fcs invoke'],
      [
        ['prefetch', 'hello', '-n', '1', '--nas-config', '{"mountPoints":[{"serverAddr":"nas:/","mountDir":"mnt"}]}'],
        '--nas-config.mountPoints[0].mountDir must be an absolute path; got "mnt"',
      ],
      [
        ['session', 'create', 'hello', '--nas-config', '{"userId":"x"}'],
        '--nas-config.userId must be an integer from -1 to 65535; got "x"',
      ],
      [
        ['session', 'list', 'hello', '--session-status', 'Bogus'],
        '--session-status must be one of Active, Paused, Expired; got "Bogus"',
      ],
      [
        ['invoke', 'hello', '--endpoint', 'http://127.0.0.1:9', '--region', 'evil/..'],
        '--region must be a region id such as cn-hangzhou; got "evil/.."',
      ],
      [
        ['invoke', 'hello', '--endpoint', 'http://127.0.0.1:9', '--account-id', 'abc'],
        '--account-id must be the numeric account id; got "abc"',
      ],
      [
        ['invoke', 'hello', '--function-name', 'other'],
        '--function-name names another function than the argument "hello"; got "other"',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await fcs(args, closed);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(message);
    }
    // The region and account id come from the environment through the settings too, named as the variable
    const badRegion = await fcs(['invoke', 'hello'], { ...closed, FC_REGION: 'evil/..' });
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain('$FC_REGION must be a region id such as cn-hangzhou; got "evil/.."');
    const badAccount = await fcs(['invoke', 'hello'], { ...closed, AccountID: 'abc' });
    expect(badAccount.code).toBe(2);
    expect(badAccount.stderr).toContain('$AccountID must be the numeric account id; got "abc"');
    const asJson = await json(['prefetch', 'hello', '-n', 'many'], closed);
    expect(asJson).toMatchObject({ code: 2, data: { error: { code: 'InvalidArgument', field: '--count' } } });
  });

  it('prefetch, invoke into a prefetched session, list, prune', async () => {
    const prefetched = await json(['prefetch', 'hello', '-n', '2', '--ttl', '600']);
    expect(prefetched.code).toBe(0);
    expect(prefetched.data).toMatchObject({ complete: true, desired: 2 });
    expect(prefetched.stderr).toContain('[2/2] created');
    const [first] = prefetched.data.sessions as { sessionId: string; containerId: string }[];

    const human = await fcs(['prefetch', 'hello', '-n', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/prefetch hello@LATEST: 2\/2 active \(0 created, 2 reused, 0 failed\)/);

    const invoked = await json(['invoke', 'hello', '-e', 'hi']);
    expect(invoked.data).toMatchObject({
      sessionId: first?.sessionId,
      sessionSource: 'manifest',
      instanceId: first?.containerId,
    });
    expect(JSON.parse(invoked.data.result)).toMatchObject({ event: 'hi', instanceId: first?.containerId });

    const block = await fcs(['invoke', 'hello', '-e', 'again']);
    expect(block.code).toBe(0);
    for (const line of [
      '========= FC invoke Logs begin =========',
      'handling again',
      `Invoke instanceId: ${first?.containerId}`,
      'Code Checksum:',
      'Qualifier: LATEST',
      'RequestId: 1-',
      `SessionId: ${first?.sessionId} (prefetched)`,
      'Invoke Result:',
    ]) {
      expect(block.stdout).toContain(line);
    }

    const piped = await run('sh', ['-c', `printf piped | "${process.execPath}" "${FCS}" invoke hello --silent`], {
      cwd,
      env: emu.env,
    });
    expect(JSON.parse(piped.stdout)).toMatchObject({ event: 'piped' });
    const fromStdin = await fcs(['invoke', 'hello', '-f', '-', '--silent'], emu.env, 'dash');
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ event: 'dash' });
    await writeFile(join(cwd, 'event.json'), '{"from":"file"}');
    expect(JSON.parse((await fcs(['invoke', 'hello', '-f', 'event.json', '--silent'])).stdout).event).toBe(
      '{"from":"file"}',
    );

    const listed = await json(['session', 'list', 'hello', '--prefetched']);
    expect(listed.data.sessions.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual(
      (prefetched.data.sessions as { sessionId: string }[]).map((s) => s.sessionId).sort(),
    );
    expect((await fcs(['session', 'list', 'hello'])).stdout).toMatch(
      new RegExp(`${first?.sessionId}\\s+Active.*prefetched`),
    );

    const pruned = await json(['prune', 'hello']);
    expect(pruned.data).toMatchObject({ complete: true });
    expect(pruned.data.deleted).toHaveLength(2);
    expect(await activeSessionIds(emu.client, 'hello')).not.toContain(first?.sessionId);
  });

  it('runs every session command', async () => {
    const id = 'cli-session-1';
    const created = await json(['session', 'create', 'hello', '--session-id', id, '--st', '300', '--si', '60']);
    expect(created.data).toMatchObject({
      sessionId: id,
      sessionTTLInSeconds: 300,
      sessionIdleTimeoutInSeconds: 60,
      sessionStatus: 'Active',
    });
    expect((await fcs(['session', 'get', 'hello', '--session-id', id])).stdout).toMatch(/sessionId:\s+cli-session-1/);
    const updated = await json(['session', 'update', 'hello', '--session-id', id, '--idle-timeout', '120']);
    expect(updated.data).toMatchObject({ sessionIdleTimeoutInSeconds: 120 });
    expect((await fcs(['session', 'pause', 'hello', '--session-id', id])).code).toBe(0);
    expect((await fcs(['session', 'resume', 'hello', '--session-id', id])).code).toBe(0);
    const into = await json(['invoke', 'hello', '-e', 'x', '--session-id', id]);
    expect(into.data).toMatchObject({ sessionId: id, sessionSource: 'argument' });
    const deleted = await fcs(['session', 'remove', 'hello', '--session-id', id, '-y']);
    expect(deleted).toMatchObject({ code: 0, stdout: `deleted ${id}\n` });
    const gone = await json(['session', 'get', 'hello', '--session-id', id]);
    expect(gone).toMatchObject({ code: 3, data: { error: { status: 404 } } });
  });

  it('exit codes: 1 function error, 3 FC error, 4 no answer, 5 incomplete prefetch', async () => {
    const failed = await fcs(['invoke', 'hello', '-e', 'throw', '--no-session']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Error Type: UnhandledInvocationError');
    expect((await json(['invoke', 'hello', '-e', 'throw'])).data).toMatchObject({
      errorType: 'UnhandledInvocationError',
    });

    const missing = await fcs(['invoke', 'nope', '-e', 'x']);
    expect(missing).toMatchObject({ code: 3, stderr: expect.stringContaining('FunctionNotFound') });
    expect((await fcs(['prefetch', 'plain', '-n', '1'])).stderr).toContain('sessionAffinity NONE');

    const closed = await fcs(['invoke', 'hello', '-e', 'x', '--endpoint', 'http://127.0.0.1:9']);
    expect(closed).toMatchObject({ code: 4, stderr: expect.stringContaining('NetworkError') });

    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', unavailableRate: 1 }] });
    try {
      const incomplete = await fcs([
        'prefetch',
        'hello',
        '-n',
        '2',
        '--max-attempts',
        '1',
        '--manifest-dir',
        'failing',
      ]);
      expect(incomplete.code).toBe(5);
      expect(incomplete.stdout).toMatch(/prefetch hello@LATEST: 0\/2 active \(0 created, 0 reused, 2 failed\)/);
      expect(incomplete.stderr).toContain('PrefetchIncomplete');
      const warned = await json([
        'prefetch',
        'hello',
        '-n',
        '1',
        '--max-attempts',
        '1',
        '--on-failure',
        'warn',
        '--manifest-dir',
        'failing',
      ]);
      expect(warned).toMatchObject({ code: 0, data: { complete: false } });
    } finally {
      emu.emulator.faults.clear();
    }
  });

  it('takes credentials from a Serverless Devs alias with --access', async () => {
    const home = await tmp.make();
    await mkdir(join(home, '.s'));
    await writeFile(
      join(home, '.s', 'access.yaml'),
      `emu:\n  AccountID: '${emu.emulator.accountId}'\n  AccessKeyID: ${emu.env['AccessKeyID']}\n  AccessKeySecret: ${emu.env['AccessKeySecret']}\n`,
    );
    const env = { FCS_ENDPOINT: emu.emulator.endpoint, serverless_devs_config_home: home };
    const ok = await json(['session', 'list', 'hello', '--access', 'emu'], env);
    expect(ok.code).toBe(0);
    const missing = await json(['session', 'list', 'hello', '--access', 'nope'], env);
    expect(missing).toMatchObject({ code: 2, data: { error: { code: 'CredentialsNotFound', field: 'access' } } });
  });

  it('fcs emulator delegates to the emulator command line and prints the dashboard URL', async () => {
    const dataDir = await tmp.make();
    const child = spawn(process.execPath, [FCS, 'emulator', '--port', '0', '--data-dir', dataDir, '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /FC emulator listening on (http:\/\/\S+)\nDashboard: \1\/_emulator\/ui\?token=\S+\n/.exec(out);
        if (match) resolve(match[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`fcs emulator exited with ${code}`)));
    });
    const listed = await fcs(['session', 'list', 'nope', '--endpoint', endpoint], {
      AccessKeyID: 'x',
      AccessKeySecret: 'y',
    });
    expect(listed.stderr).toContain('InvalidAccessKeyID');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
