import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FunctionRecord, SessionRecord, StateFile } from '../src/state/records.js';
import { StateEncoder } from '../src/state/state-encoder.js';
import { StateStore } from '../src/state/state-store.js';

function session(sessionId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId,
    functionName: 'fn',
    qualifier: 'LATEST',
    sessionAffinityType: 'HEADER_FIELD',
    sessionTTLInSeconds: 600,
    sessionIdleTimeoutInSeconds: 60,
    disableSessionIdReuse: false,
    mounts: {},
    status: 'Active',
    containerId: 'c-1',
    createdMs: 1,
    lastModifiedMs: 1,
    lastActivityMs: 1,
    ...overrides,
  };
}

/** A store over a list of sessions, counting the snapshots it takes (one per write). */
async function storeOf(flushIntervalMs = 3_600_000) {
  const dataDir = await mkdtemp(join(tmpdir(), 'fcs-state-test-'));
  const sessions: SessionRecord[] = [];
  const counter = { snapshots: 0, onSnapshot: undefined as (() => void) | undefined };
  const store = new StateStore(
    dataDir,
    () => {
      counter.snapshots++;
      const state: StateFile = { version: 1, functions: [], sessions: [...sessions], retiredSessionIds: [] };
      const hook = counter.onSnapshot;
      counter.onSnapshot = undefined;
      hook?.();
      return state;
    },
    flushIntervalMs,
    false,
  );
  const onDisk = async () =>
    (JSON.parse(await readFile(store.file, 'utf8')) as StateFile).sessions.map((s) => s.sessionId);
  return { dataDir, store, sessions, counter, onDisk };
}

/** Paths this process holds open under `dir` (Linux: /proc/self/fd). */
async function openUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd').catch(() => [] as string[]);
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(dir));
}

describe('StateStore', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('gives callers waiting at the same time one shared write that holds all their changes', async () => {
    const { dataDir, store, sessions, counter, onDisk } = await storeOf();
    dirs.push(dataDir);
    const waits = ['a', 'b', 'c', 'd'].map((id) => {
      sessions.push(session(id));
      return store.persist();
    });
    await Promise.all(waits);
    expect(counter.snapshots).toBe(1);
    expect(await onDisk()).toEqual(['a', 'b', 'c', 'd']);
    await store.close();
  });

  it('covers changes made during a write with the next single write, which starts after it ends', async () => {
    const { dataDir, store, sessions, counter, onDisk } = await storeOf();
    dirs.push(dataDir);
    sessions.push(session('first'));
    let later: Promise<void>[] = [];
    counter.onSnapshot = () => {
      // The first write has taken its snapshot: these changes are not in it.
      later = ['x', 'y', 'z'].map((id) => {
        sessions.push(session(id));
        return store.persist();
      });
      counter.onSnapshot = () => {
        // The second write begins only once the first is in place.
        expect(JSON.parse(readFileSync(store.file, 'utf8')).sessions).toHaveLength(1);
      };
    };
    await store.persist();
    expect(await onDisk()).toEqual(['first']);
    await Promise.all(later);
    expect(counter.snapshots).toBe(2);
    expect(await onDisk()).toEqual(['first', 'x', 'y', 'z']);
    await store.close();
  });

  it('rejects the callers of a failed write, leaves no temp file, and the next write succeeds', async () => {
    const { dataDir, store, sessions, onDisk } = await storeOf();
    dirs.push(dataDir);
    await mkdir(join(store.file, 'in-the-way'), { recursive: true });
    sessions.push(session('kept'));
    await expect(Promise.all([store.persist(), store.persist()])).rejects.toThrow();
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await rm(store.file, { recursive: true });
    await store.persist();
    expect(await onDisk()).toEqual(['kept']);
    await store.close();
  });

  it('writes touched changes on the timer and on close, and leaves no file open after close', async () => {
    const { dataDir, store, sessions, onDisk } = await storeOf(20);
    dirs.push(dataDir);
    store.start();
    sessions.push(session('touched'));
    store.touch();
    await expect.poll(onDisk, { timeout: 5000 }).toEqual(['touched']);
    for (let i = 0; i < 3; i++) {
      sessions.push(session(`s${i}`));
      await store.persist();
    }
    sessions.push(session('at-close'));
    store.touch();
    await store.close();
    expect(await onDisk()).toEqual(['touched', 's0', 's1', 's2', 'at-close']);
    if (process.platform === 'linux') expect(await openUnder(dataDir)).toEqual([]);
  });

  it('creates the data dir again when it went missing', async () => {
    const { dataDir, store, sessions, onDisk } = await storeOf();
    dirs.push(dataDir);
    await rm(dataDir, { recursive: true });
    sessions.push(session('back'));
    await store.persist();
    expect(await onDisk()).toEqual(['back']);
    await store.close();
  });
});

describe('StateEncoder', () => {
  it('writes exactly JSON.stringify of the state, also after records changed in every way they can', () => {
    const encoder = new StateEncoder();
    const fn = {
      functionId: 'id',
      functionName: 'fn',
      config: { functionName: 'fn', description: 'ünïcode' },
      codeChecksum: '1',
      codeSize: 2,
      createdMs: 3,
      lastModifiedMs: 4,
    } as FunctionRecord;
    const sessions = [
      session('a', { mounts: { nasConfig: { userId: 1 } } }),
      session('b'),
      session('c', { status: 'Expired', expiredMs: 5, functionName: 'fn\u2028"' }),
    ];
    const state = (): StateFile => ({
      version: 1,
      functions: [fn],
      sessions: [...sessions],
      retiredSessionIds: ['fn/old'],
    });
    const same = () => expect(encoder.encode(state()).toString()).toBe(JSON.stringify(state()));
    same();
    sessions[0]!.lastActivityMs = 99;
    sessions[1]!.mounts = { ...sessions[1]!.mounts, ossMountConfig: { mountPoints: [] } };
    sessions[2]!.status = 'Active';
    delete sessions[2]!.expiredMs;
    same();
    sessions[1]!.sessionTTLInSeconds = 30;
    sessions.splice(0, 1, session('d', { containerId: 'c-2', disableSessionIdReuse: true }));
    same();
    expect(JSON.parse(encoder.encode(state()).toString())).toEqual(state());
  });
});
