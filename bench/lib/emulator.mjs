// Starts @fc-sessions/emulator in its own process (its CLI, as `fcs emulator` runs it) for the
// emulator and prefetch groups, with a client that holds its keys and a way to deploy a function.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startProcess, tempDir } from './harness.mjs';
import { zipBase64 } from './zip.mjs';

const require = createRequire(import.meta.url);

/** A Node.js handler that answers its event as it came. */
export const ECHO_HANDLER = 'exports.handler = async (event) => event;\nexports.initialize = async () => {};\n';
export const SESSION_HEADER = 'x-session-id';

/**
 * Resolves to `{ endpoint, admin, client, stop }` once the emulator listens (`admin(init)` adds
 * the admin token to `fetch` options for `/_emulator/*`); `flags` are extra CLI flags
 * such as `['--create-session-latency-ms', '50']`.
 */
export async function startEmulatorProcess(flags = []) {
  const { DEFAULTS } = await import('@fc-sessions/emulator');
  const { FcClient } = await import('@fc-sessions/client');
  const bin = join(dirname(require.resolve('@fc-sessions/emulator/package.json')), 'bin', 'fcs-emulator.mjs');
  const dataDir = await tempDir('emulator');
  const { match, stop, child } = await startProcess(
    process.execPath,
    [bin, '--port', '0', '--data-dir', dataDir, '--quiet', ...flags],
    { ready: /listening on (http:\/\/\S+)\nDashboard: \S+\?token=(\S+)/ },
  );
  const endpoint = match[1];
  const adminToken = match[2];
  const client = new FcClient({
    endpoint,
    credentials: { accessKeyId: DEFAULTS.accessKeyId, accessKeySecret: DEFAULTS.accessKeySecret },
    accountId: DEFAULTS.accountId,
    region: DEFAULTS.region,
  });
  return {
    endpoint,
    /** `fetch` options for `/_emulator/*`: the admin token the emulator printed. */
    admin: (init = {}) => ({ ...init, headers: { ...init.headers, authorization: `Bearer ${adminToken}` } }),
    client,
    pid: child.pid,
    async stop() {
      client.close();
      await stop();
    },
  };
}

/** Deploys `ECHO_HANDLER` as a nodejs20 function with HEADER_FIELD session affinity. */
export function deployEcho(client, functionName, { sessionsPerInstance = 20, instanceConcurrency = 100 } = {}) {
  return client.createFunction({
    functionName,
    runtime: 'nodejs20',
    handler: 'index.handler',
    code: { zipFile: zipBase64({ 'index.js': ECHO_HANDLER }) },
    memorySize: 128,
    timeout: 30,
    instanceConcurrency,
    instanceLifecycleConfig: { initializer: { handler: 'index.initialize', timeout: 10 } },
    sessionAffinity: 'HEADER_FIELD',
    sessionAffinityConfig: {
      affinityHeaderFieldName: SESSION_HEADER,
      sessionConcurrencyPerInstance: sessionsPerInstance,
      sessionTTLInSeconds: 3600,
      sessionIdleTimeoutInSeconds: 1800,
    },
  });
}
