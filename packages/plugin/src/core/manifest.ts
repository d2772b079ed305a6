import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DurableFile } from '@fc-sessions/internals/durable-file';
import { isPlainObject } from './check.js';
import { PluginError } from './errors.js';

/** Where manifests live unless told otherwise, relative to the project (s.yaml folder, service dir, cwd). */
export const DEFAULT_MANIFEST_DIR = '.fcs/sessions';

/** The environment variable every front door takes as the default manifest folder (an explicit option still wins). */
export const MANIFEST_DIR_ENV = 'FCS_MANIFEST_DIR';

/** `$FCS_MANIFEST_DIR` when set and not empty, else `.fcs/sessions`. */
export function defaultManifestDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env[MANIFEST_DIR_ENV] || DEFAULT_MANIFEST_DIR;
}

/**
 * One session the plugin created. `creating` = the id was recorded, the answer to CreateSession not
 * (yet) seen; `retiring` = the keeper renewed it: its slot is free (not counted, not invoked into)
 * and it is deleted once `retireAt` has passed and the other sessions are at the count again.
 */
export interface ManifestSession {
  sessionId: string;
  /** Slot number in [0, count): per-session mount templates use it, top-ups fill the lowest free slots. */
  index: number;
  state: 'creating' | 'active' | 'retiring';
  recordedAt: string;
  /** A `retiring` session is deleted after this time (ISO-8601): the grace for callers still holding its id. */
  retireAt?: string | undefined;
  containerId?: string | undefined;
  createdTime?: string | undefined;
  sessionTTLInSeconds?: number | undefined;
  sessionIdleTimeoutInSeconds?: number | undefined;
  /** The function's revision when the session was made (see `functionRevision`); absent in older manifests. */
  functionRevision?: string | undefined;
}

/** How calls reach the function's sessions, as read by the last prefetch: lets invoke skip GetFunction. */
export interface ManifestRoute {
  affinity: string;
  headerName?: string | undefined;
}

export interface Manifest {
  version: 1;
  region: string;
  functionName: string;
  qualifier: string;
  updatedAt: string;
  route?: ManifestRoute | undefined;
  sessions: ManifestSession[];
}

/** How long a `creating` record that FC does not know (404) is kept: its CreateSession may still be running. */
export const CREATE_SETTLE_SECONDS = 600;

/** A `creating` record younger than `settleSeconds`: a 404 for it does not yet mean it will never exist. */
export function isSettling(session: ManifestSession, settleSeconds: number, now = Date.now()): boolean {
  return session.state === 'creating' && now - Date.parse(session.recordedAt) < settleSeconds * 1000;
}

export interface ManifestKey {
  region: string;
  functionName: string;
  qualifier: string;
  /** The endpoint the sessions live behind when it is not FC's own (e.g. the emulator): see `endpointKey`. */
  endpoint?: string | undefined;
}

/**
 * The folder name that keeps an endpoint's manifests apart: `<host>_<port>` (sanitised), e.g.
 * `127.0.0.1_9100`. undefined for no endpoint and for FC's own hosts (`*.aliyuncs.com`: the public,
 * internal and fcv3 endpoints of a region all reach the same sessions), whose manifests stay
 * directly in the manifest folder.
 */
export function endpointKey(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  let host: string;
  let port: string;
  try {
    const url = new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`);
    host = url.hostname.toLowerCase();
    port = url.port || (url.protocol === 'http:' ? '80' : '443');
  } catch {
    host = endpoint;
    port = '';
  }
  if (host === 'aliyuncs.com' || host.endsWith('.aliyuncs.com')) return undefined;
  return `${host}${port ? `_${port}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');
}

/** The folder that holds the manifests of `endpoint`: `dir` itself for FC, `<dir>/<host>_<port>` otherwise. */
export function manifestFolder(dir: string, endpoint?: string): string {
  const key = endpointKey(endpoint);
  return key === undefined ? resolve(dir) : resolve(dir, key);
}

/** `<folder>/<region>.<function>.<qualifier>.json` (see `manifestFolder`): none of the three can contain a dot. */
export function manifestPath(dir: string, key: ManifestKey): string {
  const region = key.region.replace(/[^A-Za-z0-9_-]/g, '_');
  return resolve(manifestFolder(dir, key.endpoint), `${region}.${key.functionName}.${key.qualifier}.json`);
}

/** Regions that have a manifest for this function and qualifier in the folder `dir` (to find it when no region is configured). */
export async function recordedRegions(dir: string, functionName: string, qualifier: string): Promise<string[]> {
  const suffix = `.${functionName}.${qualifier}.json`;
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(suffix))
      .map((name) => name.slice(0, -suffix.length));
  } catch {
    return [];
  }
}

function parseSession(value: unknown): ManifestSession | undefined {
  if (!isPlainObject(value)) return undefined;
  const { sessionId, index, state, recordedAt } = value;
  if (typeof sessionId !== 'string' || typeof index !== 'number' || typeof recordedAt !== 'string') return undefined;
  if (state !== 'creating' && state !== 'active' && state !== 'retiring') return undefined;
  const optional = (name: string, type: 'string' | 'number') =>
    typeof value[name] === type ? (value[name] as never) : undefined;
  return {
    sessionId,
    index,
    state,
    recordedAt,
    containerId: optional('containerId', 'string'),
    createdTime: optional('createdTime', 'string'),
    sessionTTLInSeconds: optional('sessionTTLInSeconds', 'number'),
    sessionIdleTimeoutInSeconds: optional('sessionIdleTimeoutInSeconds', 'number'),
    functionRevision: optional('functionRevision', 'string'),
    retireAt: optional('retireAt', 'string'),
  };
}

/**
 * The records prefetch's converge step and the keeper read and change: a manifest file
 * (`ManifestStore`), or the sessions FC lists for the function (`ListedSessions`, the keeper on FC).
 */
export interface SessionRecords {
  /** Where the records are (a file path, or what FC is asked). */
  readonly path: string;
  /** The sessions as last loaded or changed. */
  readonly sessions: readonly ManifestSession[];
  load(): Promise<Manifest>;
  /** Applies `change` to the list (and sets `route` when given), and records it. */
  update(change: (sessions: ManifestSession[]) => ManifestSession[], route?: ManifestRoute): Promise<void>;
  upsert(session: ManifestSession): Promise<void>;
  remove(sessionId: string): Promise<void>;
  close(): Promise<void>;
}

/** One change the next write applies: a function over the list, or a keyed put or drop of one session. */
type PendingChange =
  | {
      change: (sessions: ManifestSession[]) => ManifestSession[];
      route: ManifestRoute | undefined;
      /** Set when `change` threw: the change is left out and its caller gets this error. */
      failed?: { error: unknown } | undefined;
    }
  | { put: ManifestSession; failed?: undefined }
  | { drop: string; failed?: undefined };

/** The sessions as a map by id while keyed changes are applied (insertion order = list order). */
function byId(sessions: readonly ManifestSession[]): Map<string, ManifestSession> {
  return new Map(sessions.map((s) => [s.sessionId, s]));
}

/**
 * One session as `JSON.stringify(manifest, null, 2)` prints it inside the sessions array, kept per
 * record object while its fields stay the same: a write re-encodes only the sessions that changed.
 */
class SessionText {
  readonly #known = new WeakMap<ManifestSession, { fields: ManifestSession; text: string }>();

  of(session: ManifestSession): string {
    const known = this.#known.get(session);
    if (known && sameFields(known.fields, session)) return known.text;
    const text = `    ${JSON.stringify(session, null, 2).replaceAll('\n', '\n    ')}`;
    this.#known.set(session, { fields: { ...session }, text });
    return text;
  }
}

function sameFields(before: ManifestSession, now: ManifestSession): boolean {
  const a = before as unknown as Record<string, unknown>;
  const b = now as unknown as Record<string, unknown>;
  let count = 0;
  for (const key in b) {
    if (a[key] !== b[key]) return false;
    count++;
  }
  return count === Object.keys(a).length;
}

/** Where the sessions go in the pretty-printed manifest: a placeholder no string value can contain unescaped. */
const SESSIONS_SLOT = '\n  "sessions": 0';

export interface ManifestStoreOptions {
  /**
   * The caller holds the manifest's lock for as long as it reads and writes through this store (a
   * keeper's reconcile): no one else changes the file meanwhile, so it is read once and every later
   * `load()` returns the list as last read or written, without reading the file again.
   */
  held?: boolean | undefined;
}

/**
 * The record of the sessions made for one region, function and qualifier (and endpoint, when it
 * is not FC's own: see `manifestFolder`). Every change is written at once, atomically (a temp file
 * synced, then renamed over the old one), one write at a time, so a crash leaves either the old or
 * the new list, never half a file. `close()` closes the file a store keeps open after writing.
 */
export class ManifestStore implements SessionRecords {
  readonly path: string;
  readonly key: ManifestKey;
  readonly #held: boolean;
  #manifest: Manifest | undefined;
  /** Changes the next write applies. */
  #pending: PendingChange[] = [];
  /** What the running write puts on disk; it becomes the manifest once that write succeeds. */
  #staged: Manifest | undefined;
  readonly #file: DurableFile;
  readonly #text = new SessionText();

  constructor(dir: string, key: ManifestKey, options: ManifestStoreOptions = {}) {
    this.#held = options.held === true;
    this.key = key;
    this.path = manifestPath(dir, key);
    this.#file = new DurableFile(this.path, { mode: 0o600 });
  }

  /**
   * Reads the file (a missing file is an empty manifest); a file that is not a manifest is an error
   * naming it. Read synchronously, like the folder in `recordedRegions`: a small local file, while
   * `node:fs/promises` and the thread pool's round trips cost a command's start more than the read.
   */
  async load(): Promise<Manifest> {
    if (this.#held && this.#manifest) return this.#copy();
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#manifest = this.#empty();
      return this.#copy();
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isPlainObject(parsed) || parsed['version'] !== 1 || !Array.isArray(parsed['sessions'])) {
      throw new PluginError({
        code: 'ManifestCorrupt',
        field: 'manifestDir',
        message: `${this.path} is not a session manifest (version 1); move it away or fix it`,
      });
    }
    const sessions = parsed['sessions'].map(parseSession).filter((s): s is ManifestSession => s !== undefined);
    const route =
      isPlainObject(parsed['route']) && typeof parsed['route']['affinity'] === 'string' ? parsed['route'] : undefined;
    this.#manifest = {
      ...this.#empty(),
      updatedAt: String(parsed['updatedAt'] ?? ''),
      route: route && {
        affinity: route['affinity'] as string,
        headerName: typeof route['headerName'] === 'string' ? route['headerName'] : undefined,
      },
      sessions,
    };
    return this.#copy();
  }

  /** The sessions as last loaded or written. */
  get sessions(): readonly ManifestSession[] {
    return this.#manifest?.sessions ?? [];
  }

  /**
   * Applies `change` to the list (and sets `route` when given) and resolves once a write that
   * contains it is on disk. Changes that arrive while a write is running are applied together
   * and written once (group commit), so N concurrent creates cost far fewer than N rewrites.
   */
  update(change: (sessions: ManifestSession[]) => ManifestSession[], route?: ManifestRoute): Promise<void> {
    return this.#commit({ change, route });
  }

  async #commit(item: PendingChange): Promise<void> {
    this.#pending.push(item);
    try {
      await this.#file.save(this.#encode);
      if (this.#staged) this.#manifest = this.#staged;
    } catch (error) {
      if (!item.failed) throw error;
    } finally {
      this.#staged = undefined;
    }
    if (item.failed) throw item.failed.error;
  }

  /** Waits for the writes asked for so far and closes the manifest file this store holds open. */
  close(): Promise<void> {
    return this.#file.close();
  }

  /** Applies the pending changes and encodes the result: undefined (delete the file) for no sessions. */
  readonly #encode = (): string | undefined => {
    const current = this.#manifest ?? this.#empty();
    let { sessions, route } = current;
    let keyed: Map<string, ManifestSession> | undefined;
    for (const item of this.#pending.splice(0)) {
      if ('put' in item) {
        keyed ??= byId(sessions);
        keyed.delete(item.put.sessionId);
        keyed.set(item.put.sessionId, item.put);
        continue;
      }
      if ('drop' in item) {
        keyed ??= byId(sessions);
        keyed.delete(item.drop);
        continue;
      }
      if (keyed) sessions = [...keyed.values()];
      keyed = undefined;
      try {
        sessions = item.change([...sessions]);
        route = item.route ?? route;
      } catch (error) {
        item.failed = { error };
      }
    }
    if (keyed) sessions = [...keyed.values()];
    const manifest: Manifest = { ...current, route, sessions, updatedAt: new Date().toISOString() };
    this.#staged = manifest;
    if (sessions.length === 0) return undefined;
    const sorted = [...sessions].sort((a, b) => a.index - b.index).map((s) => this.#text.of(s));
    const frame = JSON.stringify({ ...manifest, sessions: 0 }, null, 2);
    const at = frame.indexOf(SESSIONS_SLOT) + SESSIONS_SLOT.length - 1;
    return `${frame.slice(0, at)}[\n${sorted.join(',\n')}\n  ]${frame.slice(at + 1)}\n`;
  };

  upsert(session: ManifestSession): Promise<void> {
    return this.#commit({ put: session });
  }

  remove(sessionId: string): Promise<void> {
    return this.#commit({ drop: sessionId });
  }

  #empty(): Manifest {
    const { region, functionName, qualifier } = this.key;
    return { version: 1, region, functionName, qualifier, updatedAt: '', sessions: [] };
  }

  #copy(): Manifest {
    const manifest = this.#manifest ?? this.#empty();
    return { ...manifest, sessions: manifest.sessions.map((s) => ({ ...s })) };
  }
}
