import { readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
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

describe('StateStore journal', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const journals = async (dataDir: string) =>
    (await readdir(dataDir)).filter((name) => name.includes('journal')).sort();
  /** What a new store over the same data dir reads back, as an emulator started after a kill -9 would. */
  const reread = async (dataDir: string) => {
    const state = await new StateStore(
      dataDir,
      () => ({ version: 1, functions: [], sessions: [], retiredSessionIds: [] }),
      3_600_000,
      false,
    ).load();
    return { ids: state?.sessions.map((s) => `${s.sessionId}:${s.status}`), retired: state?.retiredSessionIds };
  };

  it('appends session changes to the journal without rewriting state.json, and reads them back without a clean stop', async () => {
    const { dataDir, store, sessions, counter } = await storeOf();
    dirs.push(dataDir);
    sessions.push(session('base'));
    await store.persist();
    const a = session('a');
    const b = session('b', { disableSessionIdReuse: true });
    sessions.push(a, b);
    await Promise.all([store.saveSession(a), store.saveSession(b)]);
    a.status = 'Paused';
    await store.saveSession(a);
    sessions.splice(sessions.indexOf(b), 1);
    await store.removeSession('fn/b', true);
    expect(counter.snapshots).toBe(1);
    expect(await journals(dataDir)).toEqual(['state.journal.1']);
    expect(await reread(dataDir)).toEqual({ ids: ['base:Active', 'a:Paused'], retired: ['fn/b'] });
    await store.close();
  });

  it('folds the journal into state.json on a full write and removes it', async () => {
    const { dataDir, store, sessions, onDisk } = await storeOf(20);
    dirs.push(dataDir);
    store.start();
    const a = session('a');
    sessions.push(a);
    await store.saveSession(a);
    expect(await journals(dataDir)).toEqual(['state.journal.0']);
    await expect.poll(() => journals(dataDir), { timeout: 5000 }).toEqual([]);
    expect(await onDisk()).toEqual(['a']);
    const b = session('b');
    sessions.push(b);
    await store.saveSession(b);
    await store.close();
    expect(await journals(dataDir)).toEqual([]);
    expect(await reread(dataDir)).toEqual({ ids: ['a:Active', 'b:Active'], retired: [] });
  });

  it("replays the journals of state.json's generation and later, skips older ones, and ignores a last line cut short", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-state-test-'));
    dirs.push(dataDir);
    const line = (record: SessionRecord) => `${JSON.stringify({ session: record })}\n`;
    const state: StateFile = {
      version: 1,
      functions: [],
      sessions: [session('kept')],
      retiredSessionIds: [],
      journal: 3,
    };
    await writeFile(join(dataDir, 'state.json'), JSON.stringify(state));
    await writeFile(join(dataDir, 'state.journal.2'), line(session('older')));
    await writeFile(
      join(dataDir, 'state.journal.3'),
      line(session('three')) + line(session('kept', { status: 'Paused' })),
    );
    await writeFile(
      join(dataDir, 'state.journal.4'),
      `${JSON.stringify({ removed: 'fn/three', retired: false })}\n{"session":{"sess`,
    );
    expect(await reread(dataDir)).toEqual({ ids: ['kept:Paused'], retired: [] });

    // The next lines go to a journal after every one found; the next full write removes them all.
    const sessions: SessionRecord[] = [];
    const store = new StateStore(
      dataDir,
      () => ({ version: 1, functions: [], sessions: [...sessions], retiredSessionIds: [] }),
      3_600_000,
      false,
    );
    sessions.push(...((await store.load())?.sessions ?? []));
    const five = session('five');
    sessions.push(five);
    await store.saveSession(five);
    expect(await journals(dataDir)).toEqual([
      'state.journal.2',
      'state.journal.3',
      'state.journal.4',
      'state.journal.5',
    ]);
    expect((await reread(dataDir)).ids).toEqual(['kept:Paused', 'five:Active']);
    await store.close();
    expect(await journals(dataDir)).toEqual([]);
    expect(JSON.parse(await readFile(join(dataDir, 'state.json'), 'utf8'))).toMatchObject({ journal: 6 });
    expect((await reread(dataDir)).ids).toEqual(['kept:Paused', 'five:Active']);
  });

  it('refuses a journal with a broken line before its end, naming the file and line', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-state-test-'));
    dirs.push(dataDir);
    await writeFile(join(dataDir, 'state.journal.0'), `${JSON.stringify({ session: session('a') })}\n{"sess\n`);
    await appendFile(join(dataDir, 'state.journal.0'), `${JSON.stringify({ session: session('b') })}\n`);
    await expect(reread(dataDir)).rejects.toThrow(/state\.journal\.0: line 2 is not JSON/);
  });

  it('after a failed append, writes state.json in full until one succeeds, so no line follows half a line', async () => {
    const { dataDir, store, sessions, counter, onDisk } = await storeOf();
    dirs.push(dataDir);
    await mkdir(join(dataDir, 'state.journal.0'));
    const a = session('a');
    sessions.push(a);
    await expect(store.saveSession(a)).rejects.toThrow();
    await rm(join(dataDir, 'state.journal.0'), { recursive: true });
    const b = session('b');
    sessions.push(b);
    await store.saveSession(b);
    expect(counter.snapshots).toBe(1);
    expect(await onDisk()).toEqual(['a', 'b']);
    const c = session('c');
    sessions.push(c);
    await store.saveSession(c);
    expect(await journals(dataDir)).toEqual(['state.journal.1']);
    expect((await reread(dataDir)).ids).toEqual(['a:Active', 'b:Active', 'c:Active']);
    await store.close();
  });

  it('does not append a change a full write already holds, which would replay an older record over a newer one', async () => {
    const { dataDir, store, sessions, counter } = await storeOf();
    dirs.push(dataDir);
    const a = session('a');
    sessions.push(a);
    await store.persist();
    let answered: Promise<void> | undefined;
    // A change answered while the full write waits for its turn, then activity with no line of its own.
    counter.onSnapshot = () => {
      answered = store.saveSession(a);
      a.status = 'Expired';
    };
    await store.persist();
    await answered;
    expect(await journals(dataDir)).toEqual([]);
    expect((await reread(dataDir)).ids).toEqual(['a:Expired']);
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
