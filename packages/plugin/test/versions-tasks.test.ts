import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeFunction } from '../src/core/invoke.js';
import { prefetchSessions } from '../src/core/prefetch.js';
import { waitForTask } from '../src/core/tasks.js';
import { listAliases, listVersions, parseVersionWeight, saveAlias } from '../src/core/versions.js';
import { deployHello, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

const FN = 'aliased';

describe('versions, aliases and async tasks (core)', () => {
  let emu: TestEmulator;
  const tmp = tempDirs();

  beforeAll(async () => {
    emu = await startTestEmulator();
    await deployHello(emu.client, FN);
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('publishes versions and points aliases at them, fc3 style (latest, --vw)', async () => {
    // Act
    await emu.client.publishFunctionVersion(FN, { description: 'v1' });
    await emu.client.publishFunctionVersion(FN, { description: 'v2' });
    const prod = await saveAlias(emu.client, FN, { aliasName: 'prod', versionId: '1' }, 'create');
    const canary = await saveAlias(emu.client, FN, { aliasName: 'canary', versionId: 'latest' }, 'create');
    const moved = await saveAlias(
      emu.client,
      FN,
      { aliasName: 'canary', versionId: '1', versionWeight: '{"2":0.3}' },
      'update',
    );

    // Assess
    expect((await listVersions(emu.client, FN)).map((v) => v.versionId)).toEqual(['2', '1']);
    expect([prod.versionId, canary.versionId]).toEqual(['1', '2']);
    expect(moved.additionalVersionWeight).toEqual({ '2': 0.3 });
    expect((await listAliases(emu.client, FN)).map((a) => a.aliasName)).toEqual(['canary', 'prod']);
    expect(() => parseVersionWeight('{"2":')).toThrow(/--vw must be JSON/);
    await expect(saveAlias(emu.client, FN, { aliasName: 'x' }, 'create')).rejects.toMatchObject({
      field: '--version-id',
    });
  });

  it("prefetches sessions on an alias; invoking through the manifest lands on the alias version's instance", async () => {
    // Prepare
    const manifestDir = await tmp.make();
    const manifest = { manifestDir, region: 'cn-hangzhou' };

    // Act
    const result = await prefetchSessions(emu.client, { functionName: FN, qualifier: 'prod', count: 2, ...manifest });
    const report = await invokeFunction(emu.client, { functionName: FN, qualifier: 'prod', body: 'hi', manifest });

    // Assess
    expect(result.sessions).toHaveLength(2);
    expect(report.sessionSource).toBe('manifest');
    expect(report.qualifier).toBe('1'); // the version that served prod
    expect(JSON.parse(report.result)).toMatchObject({ version: '1', instanceId: result.sessions[0]?.containerId });
  });

  it('waits for an async task to its end and answers its result; a stopped one ends Stopped', async () => {
    // Act
    await emu.client.invoke(FN, {
      invocationType: 'Async',
      asyncTaskId: 'job_done',
      body: 'payload',
      qualifier: 'prod',
    });
    const seen: string[] = [];
    const done = await waitForTask(emu.client, FN, 'job_done', {
      intervalMs: 20,
      onStatus: (t) => seen.push(t.status!),
    });
    await emu.client.invoke(FN, { invocationType: 'Async', asyncTaskId: 'job_slow', body: 'sleep' });
    const waiting = waitForTask(emu.client, FN, 'job_slow', { intervalMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await emu.client.stopAsyncTask(FN, 'job_slow');
    const stopped = await waiting;
    const impatient = await waitForTask(emu.client, FN, 'job_done', { timeoutMs: 0 }).catch((e: unknown) => e);

    // Assess
    expect(done.status).toBe('Succeeded');
    expect(JSON.parse(done.returnPayload!)).toMatchObject({ event: 'payload', version: '1' });
    expect(seen.at(-1)).toBe('Succeeded');
    expect(stopped.status).toBe('Stopped');
    expect(impatient).toMatchObject({ status: 'Succeeded' });
  });
});
