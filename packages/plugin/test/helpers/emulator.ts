import { fileURLToPath } from 'node:url';
import { FcClient, FcError, type SessionAffinity } from '@fc-sessions/client';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@fc-sessions/emulator';
import type { SessionApi } from '../../src/core/prefetch.js';
import { zipDirectory } from '../../src/devs/zip.js';

export const HELLO_DIR = fileURLToPath(new URL('../fixtures/functions/hello', import.meta.url));

export interface TestEmulator {
  emulator: EmulatorHandle;
  client: FcClient;
  /** Environment that points a child process (fcs, s, osls) at this emulator. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** An emulator on a free port with a temp data dir, and a client for it. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ instanceStartTimeoutMs: 15_000, stopGraceMs: 1000, ...options });
  const client = new FcClient({
    endpoint: emulator.endpoint,
    credentials: emulator.credentials,
    retry: { maxAttempts: 8, baseDelayMs: 10 },
  });
  return {
    emulator,
    client,
    env: {
      FCS_ENDPOINT: emulator.endpoint,
      AccountID: emulator.accountId,
      AccessKeyID: emulator.credentials.accessKeyId,
      AccessKeySecret: emulator.credentials.accessKeySecret as string,
    },
    async stop() {
      client.close();
      await emulator.stop();
    },
  };
}

/** Deploys the hello fixture as `name` with the given affinity (header `x-session-id` for HEADER_FIELD). */
export async function deployHello(
  client: FcClient,
  name: string,
  affinity: SessionAffinity = 'HEADER_FIELD',
): Promise<void> {
  await client.createFunction({
    functionName: name,
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: { zipFile: (await zipDirectory(HELLO_DIR)).toString('base64') },
    instanceConcurrency: 10,
    sessionAffinity: affinity,
    ...(affinity === 'HEADER_FIELD' ? { sessionAffinityConfig: { affinityHeaderFieldName: 'x-session-id' } } : {}),
  });
}

/** The ids of the Active sessions the emulator has for a function. */
export async function activeSessionIds(
  client: FcClient,
  functionName: string,
  qualifier = 'LATEST',
): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.iterateSessions(functionName, { qualifier, sessionStatus: 'Active' }))
    ids.push(s.sessionId);
  return ids.sort();
}

export { waitFor } from '@fc-sessions/testing';

/** A `SessionApi` whose CreateSession calls are held back: see `holdCreates`. */
export interface HeldCreates {
  api: SessionApi;
  /** The ids of the creates asked for, in order (held or not). */
  asked: string[];
  /** Sends the held creates (without their callers' signal) and resolves once FC has answered them all. */
  release(): Promise<void>;
}

/**
 * `client` with every CreateSession from the `from`-th on (0: all) held until `release()`: a
 * create still on its way to FC for as long as the test needs, with no latency to outlast. A
 * caller that aborts meanwhile is answered at once as the client answers an abort mid-request
 * (Aborted, outcome unknown), and its create still lands on release.
 */
export function holdCreates(client: FcClient, from = 0): HeldCreates {
  const asked: string[] = [];
  const held: (() => Promise<unknown>)[] = [];
  const api: SessionApi = {
    getFunction: (...args) => client.getFunction(...args),
    getSession: (...args) => client.getSession(...args),
    deleteSession: (...args) => client.deleteSession(...args),
    createSession: (functionName, input, options) => {
      asked.push(input?.sessionId ?? '');
      if (asked.length <= from) return client.createSession(functionName, input, options);
      const { signal, ...rest } = options ?? {};
      return new Promise((resolve, reject) => {
        const onAbort = () =>
          reject(new FcError({ code: 'Aborted', message: 'CreateSession was aborted', outcomeUnknown: true }));
        signal?.addEventListener('abort', onAbort, { once: true });
        held.push(() => {
          signal?.removeEventListener('abort', onAbort);
          const sent = client.createSession(functionName, input, rest);
          sent.then(resolve, reject);
          return sent;
        });
      });
    },
  };
  return {
    api,
    asked,
    async release() {
      await Promise.allSettled(held.splice(0).map((send) => send()));
    },
  };
}
