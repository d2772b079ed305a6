import { fileURLToPath } from 'node:url';
import { FcClient, type SessionAffinity } from '@fc-sessions/client';
import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '@fc-sessions/emulator';
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
