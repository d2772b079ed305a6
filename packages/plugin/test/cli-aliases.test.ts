import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const FCS = fileURLToPath(new URL('../bin/fcs.cjs', import.meta.url));
const FN = 'released';

describe('fcs version, alias and task commands, and invoke on an alias', () => {
  let emu: TestEmulator;
  let cwd: string;
  const tmp = tempDirs();
  const fcs = (args: string[]) => run(process.execPath, [FCS, ...args], { cwd, env: emu.env });
  const json = async (args: string[]) => {
    const result = await fcs([...args, '--json']);
    return { ...result, data: JSON.parse(result.stdout || '{}') };
  };

  beforeAll(async () => {
    emu = await startTestEmulator();
    await deployHello(emu.client, FN);
    cwd = await tmp.make();
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('publishes versions and points aliases at them with fc3 flags (latest, --vw)', async () => {
    // Act
    const v1 = await json(['version', 'publish', FN, '--description', 'first']);
    const v2 = await json(['version', 'publish', FN]);
    const prod = await json(['alias', 'create', FN, '--alias-name', 'prod', '--version-id', '1']);
    const canary = await json(['alias', 'create', FN, '--alias-name', 'canary', '--version-id', 'latest']);
    const weighted = await json([
      'alias',
      'update',
      FN,
      '--alias-name',
      'canary',
      '--version-id',
      '1',
      '--vw',
      '{"2":0.25}',
    ]);
    await json(['alias', 'update', FN, '--alias-name', 'canary', '--version-id', '2', '--vw', '{}']);
    const versions = await fcs(['version', 'list', FN]);
    const aliases = await json(['alias', 'list', FN]);
    const got = await fcs(['alias', 'get', FN, '--alias-name', 'canary']);

    // Assess
    expect([v1.code, v1.data.versionId, v2.data.versionId]).toEqual([0, '1', '2']);
    expect([prod.data.versionId, canary.data.versionId]).toEqual(['1', '2']);
    expect(weighted.data.additionalVersionWeight).toEqual({ '2': 0.25 });
    expect(versions.stdout).toMatch(/^VERSION\s+CREATED\s+DESCRIPTION\n2\s.*\n1\s.*first\n$/);
    expect(
      aliases.data.aliases.map((a: { aliasName: string; versionId: string }) => `${a.aliasName}:${a.versionId}`),
    ).toEqual(['canary:2', 'prod:1']);
    expect(got.stdout).toContain('versionId:');
  });

  it('prefetches on each alias (one manifest per qualifier) and invokes land on its version', async () => {
    // Act
    const prefetched = await Promise.all(
      ['prod', 'canary'].map((q) => json(['prefetch', FN, '--qualifier', q, '-n', '1'])),
    );
    const calls = await Promise.all(['prod', 'canary'].map((q) => json(['invoke', FN, '--qualifier', q, '-e', 'hi'])));

    // Assess
    expect(prefetched.map((p) => p.code)).toEqual([0, 0]);
    for (const [n, call] of calls.entries()) {
      expect(call.data.sessionSource).toBe('manifest');
      expect(call.data.sessionId).toBe(prefetched[n]?.data.sessions[0].sessionId);
      expect(JSON.parse(call.data.result)).toMatchObject({
        version: String(n + 1),
        instanceId: prefetched[n]?.data.sessions[0].containerId,
      });
    }
  });

  it('invoke --invocation-type Async --wait polls the task to its end and prints its result', async () => {
    // Act
    const waited = await fcs([
      'invoke',
      FN,
      '--qualifier',
      'prod',
      '--invocation-type',
      'Async',
      '--async-task-id',
      'job_1',
      '--wait',
      '-e',
      'work',
    ]);
    const failed = await json(['invoke', FN, '--invocation-type', 'Async', '--wait', '-e', 'throw']);
    const notAsync = await fcs(['invoke', FN, '--wait', '-e', 'x']);

    // Assess
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('AsyncTaskId: job_1');
    expect(waited.stdout).toContain('Status: Succeeded');
    expect(waited.stdout).toMatch(/Result:\n\{"instanceId":"c-[^"]+","count":\d+,"event":"work"/);
    expect(waited.stderr).toContain('task job_1: Succeeded');
    expect(failed.code).toBe(1);
    expect(failed.data.task).toMatchObject({ status: 'Failed', taskErrorMessage: 'boom' });
    expect(failed.data.asyncTaskId).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
    expect(notAsync.code).toBe(2);
    expect(notAsync.stderr).toContain('--wait only applies with --invocation-type Async');
  });

  it('task get, list and stop', async () => {
    // Prepare
    await fcs(['invoke', FN, '--invocation-type', 'Async', '--async-task-id', 'job_long', '-e', 'sleep']);

    // Act
    const listed = await json(['task', 'list', FN, '--status', 'Succeeded']);
    const stopped = await fcs(['task', 'stop', FN, '--task-id', 'job_long']);
    const got = await json(['task', 'get', FN, '--task-id', 'job_long']);
    const shown = await fcs(['task', 'get', FN, '--task-id', 'job_1']);
    const bad = await fcs(['task', 'get', FN, '--task-id', '9bad']);
    const help = await fcs(['task', '--help']);

    // Assess
    expect(listed.data.tasks.map((t: { taskId: string }) => t.taskId)).toContain('job_1');
    expect(stopped).toMatchObject({ code: 0, stdout: 'stopped job_long\n' });
    expect(['Stopping', 'Stopped']).toContain(got.data.status);
    expect(shown.stdout).toContain('Status: Succeeded');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--task-id must be 1-128 characters');
    expect(help.stdout).toContain('Usage: fcs task <get|list|stop>');
  });

  it('refuses bad version and alias flags before any call, naming the flag', async () => {
    // Act
    const results = await Promise.all([
      fcs(['alias', 'create', FN, '--alias-name', 'x']),
      fcs(['alias', 'create', FN, '--alias-name', 'x', '--version-id', 'v1']),
      fcs(['alias', 'update', FN, '--alias-name', 'prod', '--vw', '{"2":']),
      fcs(['alias', 'update', FN, '--alias-name', 'prod', '--vw', '{"2":2}']),
      fcs(['version', 'delete', FN]),
    ]);

    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results[0]?.stderr).toContain('--version-id is required');
    expect(results[1]?.stderr).toContain('--version-id must be a published version number');
    expect(results[2]?.stderr).toContain('--vw must be JSON');
    expect(results[3]?.stderr).toContain('additionalVersionWeight["2"] must be a number from 0 to 1');
    expect(results[4]?.stderr).toContain('--version-id is required');
  });
});
