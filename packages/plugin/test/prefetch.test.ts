import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestStore } from '../src/core/manifest.js';
import { PrefetchError, type PrefetchEvent, prefetchSessions, type SessionApi } from '../src/core/prefetch.js';
import { pruneSessions } from '../src/core/prune.js';
import {
  activeSessionIds,
  deployHello,
  holdCreates,
  startTestEmulator,
  type TestEmulator,
  waitFor,
} from './helpers/emulator.js';
import { tempDirs } from './helpers/tmp.js';

describe('prefetchSessions against the emulator', () => {
  let emu: TestEmulator;
  const tmp = tempDirs();

  beforeAll(async () => {
    emu = await startTestEmulator();
    await deployHello(emu.client, 'warm');
    await deployHello(emu.client, 'cookie', 'GENERATED_COOKIE');
    await deployHello(emu.client, 'plain', 'NONE');
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  it('creates N sessions, records each in the manifest, reports progress, and a second run reuses them', async () => {
    const manifestDir = await tmp.make();
    const events: PrefetchEvent[] = [];
    const first = await prefetchSessions(emu.client, {
      functionName: 'warm',
      count: 3,
      sessionTTLInSeconds: 600,
      idPrefix: 'pf-',
      manifestDir,
      region: 'cn-hangzhou',
      onProgress: (e) => events.push(e),
    });
    expect(first.complete).toBe(true);
    expect(first.created).toHaveLength(3);
    expect(first.sessions.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(first.sessions.every((s) => s.sessionId.startsWith('pf-') && s.containerId)).toBe(true);
    expect(events.filter((e) => e.type === 'created')).toHaveLength(3);
    expect(events[0]).toMatchObject({ type: 'checked', active: 0, missing: 3 });

    const manifest = JSON.parse(await readFile(first.manifestPath, 'utf8'));
    expect(first.manifestPath).toMatch(/cn-hangzhou\.warm\.LATEST\.json$/);
    expect(manifest.route).toEqual({ affinity: 'HEADER_FIELD', headerName: 'x-session-id' });
    expect(manifest.sessions.map((s: { sessionId: string }) => s.sessionId).sort()).toEqual([...first.created].sort());
    expect(await activeSessionIds(emu.client, 'warm')).toEqual([...first.created].sort());

    const second = await prefetchSessions(emu.client, {
      functionName: 'warm',
      count: 4,
      manifestDir,
      region: 'cn-hangzhou',
    });
    expect(second.reused.sort()).toEqual([...first.created].sort());
    expect(second.created).toHaveLength(1);
    expect(second.sessions.find((s) => !s.reused)?.index).toBe(3);

    // Every check finds what the manifest says: nothing to record, so the file is not written again.
    const before = await readFile(first.manifestPath, 'utf8');
    const steady = await prefetchSessions(emu.client, {
      functionName: 'warm',
      count: 4,
      manifestDir,
      region: 'cn-hangzhou',
    });
    expect(steady.reused).toHaveLength(4);
    expect(await readFile(first.manifestPath, 'utf8')).toBe(before);

    const trimmed = await prefetchSessions(emu.client, {
      functionName: 'warm',
      count: 2,
      trim: true,
      manifestDir,
      region: 'cn-hangzhou',
    });
    expect(trimmed.trimmed).toHaveLength(2);
    expect(trimmed.sessions.map((s) => s.index)).toEqual([0, 1]);
    expect(await activeSessionIds(emu.client, 'warm')).toEqual(trimmed.sessions.map((s) => s.sessionId).sort());

    const pruned = await pruneSessions(emu.client, { functionName: 'warm', manifestDir, region: 'cn-hangzhou' });
    expect(pruned.deleted.sort()).toEqual(trimmed.sessions.map((s) => s.sessionId).sort());
    expect(await activeSessionIds(emu.client, 'warm')).toEqual([]);
    const store = new ManifestStore(manifestDir, { region: 'cn-hangzhou', functionName: 'warm', qualifier: 'LATEST' });
    expect((await store.load()).sessions).toEqual([]);
  });

  it('drops sessions that expired (deleted behind its back) and tops up into the freed slots', async () => {
    const manifestDir = await tmp.make();
    const options = { functionName: 'cookie', count: 2, manifestDir, region: 'cn-hangzhou' };
    const first = await prefetchSessions(emu.client, options);
    const gone = first.sessions[0]!;
    await emu.client.deleteSession('cookie', gone.sessionId);
    const second = await prefetchSessions(emu.client, options);
    expect(second.expired).toEqual([gone.sessionId]);
    expect(second.created).toHaveLength(1);
    expect(second.sessions.map((s) => s.index)).toEqual([0, 1]);
    await pruneSessions(emu.client, options);
    expect(await activeSessionIds(emu.client, 'cookie')).toEqual([]);
  });

  it('fills per-session mount templates', async () => {
    const manifestDir = await tmp.make();
    const result = await prefetchSessions(emu.client, {
      functionName: 'warm',
      count: 2,
      manifestDir,
      region: 'cn-hangzhou',
      ossMountConfig: {
        mountPoints: [
          { bucketName: 'b', bucketPath: '/users/{index}/{sessionId}', mountDir: '/mnt/u', readOnly: false },
        ],
      },
    });
    for (const s of result.sessions) {
      const session = await emu.client.getSession('warm', s.sessionId);
      expect(session.ossMountConfig?.mountPoints?.[0]?.bucketPath).toBe(`/users/${s.index}/${s.sessionId}`);
    }
    await pruneSessions(emu.client, { functionName: 'warm', manifestDir, region: 'cn-hangzhou' });
  });

  it('refuses a function whose affinity cannot take sessions; warn returns the error instead of throwing', async () => {
    const manifestDir = await tmp.make();
    const options = { functionName: 'plain', count: 1, manifestDir, region: 'cn-hangzhou' };
    await expect(prefetchSessions(emu.client, options)).rejects.toMatchObject({
      code: 'AffinityUnsupported',
      message: expect.stringContaining('sessionAffinity NONE'),
    });
    const warned = await prefetchSessions(emu.client, { ...options, onFailure: 'warn' });
    expect(warned.complete).toBe(false);
    expect(warned.error).toMatchObject({ code: 'AffinityUnsupported' });
    const missing = await prefetchSessions(emu.client, { ...options, functionName: 'nope', onFailure: 'warn' });
    expect(missing.error).toMatchObject({ code: 'FunctionNotFound', status: 404 });
  });

  it('checks every option before any call, naming the field', async () => {
    const closed = new FcClient({ endpoint: 'http://127.0.0.1:9', credentials: emu.emulator.credentials });
    const base = { functionName: 'warm', count: 1, manifestDir: await tmp.make(), region: 'cn-hangzhou' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ count: -1 }, /^count must be an integer from 0 to 1000; got -1$/],
      [{ count: 1001 }, /^count must be an integer from 0 to 1000/],
      [{ functionName: '9bad' }, /^functionName must be 1-128 characters/],
      [{ sessionTTLInSeconds: 0 }, /^sessionTTLInSeconds must be an integer from 1 to 21600/],
      [{ sessionIdleTimeoutInSeconds: 21601 }, /^sessionIdleTimeoutInSeconds must be an integer from 0 to 21600/],
      [{ concurrency: 0 }, /^concurrency must be an integer from 1 to 64/],
      [{ onFailure: 'ignore' }, /^onFailure must be one of fail, warn/],
      [{ idPrefix: '-x' }, /^idPrefix must be up to 32/],
      [{ timeoutSeconds: 0 }, /^timeoutSeconds must be an integer from 1 to 3600/],
      [{ qualifier: 'a.b' }, /^qualifier must be LATEST/],
      [
        { ossMountConfig: { mountPoints: [{ bucketPath: '/{user}' }] } },
        /^ossMountConfig\.mountPoints\[0\]\.bucketPath uses \{user\}/,
      ],
      [{ nasConfig: { mountPoints: {} } }, /^nasConfig\.mountPoints must be a list/],
      [{ bogus: 1 }, /^bogus is not a known option/],
    ];
    for (const [patch, message] of cases) {
      const error = await prefetchSessions(closed, { ...base, ...patch } as never).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'InvalidArgument' });
      expect((error as Error).message).toMatch(message);
    }
    closed.close();
  });

  it('records a session before creating it: an aborted run leaves "creating" records that prune settles, nothing leaks', async () => {
    const manifestDir = await tmp.make();
    // The creates are held on their way to FC until the test lets them go (a latency could run out first on a loaded machine).
    const held = holdCreates(emu.client);
    const controller = new AbortController();
    const running = prefetchSessions(held.api, {
      functionName: 'warm',
      count: 3,
      concurrency: 3,
      manifestDir,
      region: 'cn-hangzhou',
      signal: controller.signal,
    });
    const store = new ManifestStore(manifestDir, { region: 'cn-hangzhou', functionName: 'warm', qualifier: 'LATEST' });
    await waitFor(() => held.asked.length === 3, 10_000, 'the three creates to be sent');
    controller.abort(new Error('stop'));
    const error = await running.catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const { sessions } = await store.load();
    expect(sessions).toHaveLength(3);
    expect(sessions.every((s) => s.state === 'creating')).toBe(true);

    // The creates are still on their way to FC: prune keeps them (pending) instead of forgetting them.
    const early = await pruneSessions(emu.client, { functionName: 'warm', manifestDir, region: 'cn-hangzhou' });
    expect(early.pending.sort()).toEqual(sessions.map((s) => s.sessionId).sort());
    expect(early.complete).toBe(false);
    expect((await store.load()).sessions).toHaveLength(3);

    await held.release();
    const ids = sessions.map((s) => s.sessionId).sort();
    expect(await activeSessionIds(emu.client, 'warm')).toEqual(ids);
    const pruned = await pruneSessions(emu.client, { functionName: 'warm', manifestDir, region: 'cn-hangzhou' });
    expect(pruned.deleted.sort()).toEqual(ids);
    expect(await activeSessionIds(emu.client, 'warm')).toEqual([]);
    expect((await store.load()).sessions).toEqual([]);
  });

  it('sends a create only once its record is on disk, keeps concurrency creates in flight, and drops records of creates an aborted run did not send', async () => {
    const manifestDir = await tmp.make();
    const store = new ManifestStore(manifestDir, { region: 'cn-hangzhou', functionName: 'warm', qualifier: 'LATEST' });
    const sent: string[] = [];
    const unrecorded: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    // The first pair is answered, the second held on its way to FC until after the abort.
    const held = holdCreates(emu.client, 2);
    const api: SessionApi = {
      ...held.api,
      createSession: async (functionName, input, options) => {
        const id = input?.sessionId ?? '';
        const onDisk = JSON.parse(readFileSync(store.path, 'utf8')) as { sessions: { sessionId: string }[] };
        if (!onDisk.sessions.some((s) => s.sessionId === id)) unrecorded.push(id);
        sent.push(id);
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        try {
          return await held.api.createSession(functionName, input, options);
        } finally {
          inFlight--;
        }
      },
    };
    const controller = new AbortController();
    const running = prefetchSessions(api, {
      functionName: 'warm',
      count: 8,
      concurrency: 2,
      manifestDir,
      region: 'cn-hangzhou',
      signal: controller.signal,
    });
    // Each create sent writes the record of the one its worker sends next: the third pair's are on disk.
    await waitFor(
      async () => sent.length === 4 && JSON.parse(await readFile(store.path, 'utf8')).sessions.length === 6,
      10_000,
      'the second pair of creates to go out and the third pair to be recorded',
    );
    controller.abort(new Error('stop'));
    expect(await running.catch((e: Error) => e)).toBeInstanceOf(Error);
    expect(unrecorded).toEqual([]);
    expect(mostInFlight).toBe(2);
    expect(sent).toHaveLength(4);
    const recorded = (await store.load()).sessions.map((s) => s.sessionId).sort();
    expect(recorded).toEqual([...sent].sort());

    await held.release();
    expect((await activeSessionIds(emu.client, 'warm')).sort()).toEqual(recorded);
    const pruned = await pruneSessions(emu.client, { functionName: 'warm', manifestDir, region: 'cn-hangzhou' });
    expect(pruned.deleted.sort()).toEqual(recorded);
    expect(await activeSessionIds(emu.client, 'warm')).toEqual([]);
  });

  it('stops at timeoutSeconds: fail throws PrefetchTimeout with the partial result, warn returns it', async () => {
    const manifestDir = await tmp.make();
    emu.emulator.faults.set({ rules: [{ action: 'CreateSession', latencyMs: 1500 }] });
    try {
      const options = { functionName: 'warm', count: 1, timeoutSeconds: 1, manifestDir, region: 'cn-hangzhou' };
      const error = await prefetchSessions(emu.client, options).catch((e: Error) => e);
      expect(error).toBeInstanceOf(PrefetchError);
      expect(error).toMatchObject({ code: 'PrefetchTimeout', exitCode: 5 });
      const warned = await prefetchSessions(emu.client, { ...options, onFailure: 'warn' });
      expect(warned).toMatchObject({ complete: false, error: { code: 'PrefetchTimeout', field: 'timeoutSeconds' } });
    } finally {
      emu.emulator.faults.clear();
    }
    const store = new ManifestStore(manifestDir, { region: 'cn-hangzhou', functionName: 'warm', qualifier: 'LATEST' });
    // The second run found the first one's create pending and sent that same id again, not a second session.
    const recorded = (await store.load()).sessions.map((s) => s.sessionId).sort();
    expect(recorded).toHaveLength(1);
    await waitFor(
      async () => (await activeSessionIds(emu.client, 'warm')).length === 1,
      10_000,
      'the timed-out creates to land',
    );
    expect(await activeSessionIds(emu.client, 'warm')).toEqual(recorded);
    const pruned = await pruneSessions(emu.client, { functionName: 'warm', manifestDir, region: 'cn-hangzhou' });
    expect(pruned).toMatchObject({ complete: true, pending: [] });
    expect(await activeSessionIds(emu.client, 'warm')).toEqual([]);
  });
});
