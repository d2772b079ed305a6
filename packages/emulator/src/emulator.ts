import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { protectCredentials } from '@fc-sessions/client';
import { type Credentials, createNonceCache } from '@fc-sessions/client/signing';
import { type InstanceInfo, listInstances } from './api/admin-api.js';
import type { Services } from './api/services.js';
import { AdminToken } from './auth/admin-token.js';
import { KeyRing } from './auth/key-ring.js';
import { BackgroundTasks } from './background.js';
import { type FaultConfig, FaultInjector, parseFaultConfig } from './faults/faults.js';
import { AsyncInvokeConfigs } from './functions/async-invoke-configs.js';
import { codeInUse, FunctionRegistry } from './functions/function-registry.js';
import { Versions } from './functions/versions.js';
import { createServer } from './http/server.js';
import { LiveFeed } from './ui/live-feed.js';
import { dashboardSnapshot } from './ui/snapshot.js';
import { newRequestId } from './ids.js';
import type { InstanceHost } from './instances/spec.js';
import { AsyncTasks } from './invoke/async-tasks.js';
import { Invoker } from './invoke/invoker.js';
import { DEFAULTS, type EmulatorOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { SessionManager } from './sessions/session-manager.js';
import { CodeStore } from './state/code-store.js';
import { lockDataDir } from './state/data-dir-lock.js';
import { removeStaleFiles } from './state/stale-files.js';
import { StateStore } from './state/state-store.js';
import { TimerScheduler, timerEvent } from './triggers/timer-scheduler.js';
import { TriggerRegistry } from './triggers/trigger-registry.js';

export interface EmulatorHandle {
  /** `http://127.0.0.1:<port>`: give it to clients as their endpoint (or set FCS_ENDPOINT). */
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  /** The key pair the emulator accepts (hidden from JSON.stringify and util.inspect). */
  readonly credentials: Credentials;
  readonly dataDir: string;
  /** Fault injection, the same as `/_emulator/faults`. */
  readonly faults: {
    get(): FaultConfig;
    set(config: FaultConfig): void;
    clear(): void;
  };
  /** The running instances (what `GET /_emulator/instances` lists). */
  instances(): InstanceInfo[];
  /**
   * The token `/_emulator/*` needs (`Authorization: Bearer <token>`), new at every start and also
   * in `<dataDir>/admin-token`; undefined with `adminApi: false`. Not enumerable: JSON.stringify
   * and util.inspect of the handle leave it out.
   */
  readonly adminToken: string | undefined;
  /** `<endpoint>/_emulator/ui?token=<token>`, the dashboard (not enumerable, it holds the token). */
  readonly dashboardUrl: string | undefined;
  /** Runs pre-stop hooks, stops every instance, writes the state, closes the server. Safe to call twice. */
  stop(): Promise<void>;
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a local Function Compute endpoint. Resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const o = resolveOptions(options);
  const ownsDataDir = o.dataDir === undefined;
  const dataDir = resolve(o.dataDir ?? (await mkdtemp(join(tmpdir(), 'fcs-emulator-'))));
  const unlock = await lockDataDir(dataDir);
  try {
    await removeStaleFiles(dataDir);
    return await serveFrom(dataDir, o, ownsDataDir, unlock);
  } catch (error) {
    await unlock();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function serveFrom(
  dataDir: string,
  o: ResolvedOptions,
  ownsDataDir: boolean,
  unlock: () => Promise<void>,
): Promise<EmulatorHandle> {
  const keys = new KeyRing([{ accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret }, ...o.extraCredentials]);
  const faults = new FaultInjector(o.faults ? parseFaultConfig(o.faults) : undefined);
  let endpoint = '';
  const host: InstanceHost = {
    accountId: o.accountId,
    region: o.region,
    get endpoint() {
      return endpoint;
    },
    startTimeoutMs: o.instanceStartTimeoutMs,
    stopGraceMs: o.stopGraceMs,
    onLog: (line, source) => {
      o.onInstanceLog?.(line, source);
      live?.instanceLog(line, source.instanceId);
    },
  };
  let live: LiveFeed | undefined;

  let sessions: SessionManager | undefined;
  let functions: FunctionRegistry | undefined;
  let versions: Versions | undefined;
  const tasks = new AsyncTasks();
  let triggers: TriggerRegistry | undefined;
  const store = new StateStore(
    dataDir,
    () => ({
      version: 1,
      functions: functions?.records() ?? [],
      triggers: triggers?.records() ?? [],
      ...(sessions?.snapshot() ?? { sessions: [], retiredSessionIds: [] }),
    }),
    o.stateFlushIntervalMs,
    o.syncState,
  );
  const code = new CodeStore(dataDir, {
    maxZipBytes: o.limits.codeZipBytes,
    maxUnzippedBytes: o.limits.unzippedCodeBytes,
  });
  const registry = new FunctionRegistry(
    code,
    keys,
    host,
    { maxInstances: o.maxInstancesPerFunction, idleMs: o.instanceIdleSeconds * 1000 },
    o.roleCredentialSeconds,
    {
      onInstanceLost: (instance) => sessions?.onInstanceLost(instance),
      onFunctionDeleted: (name) => {
        sessions?.onFunctionDeleted(name);
        tasks.onFunctionDeleted(name);
        versions?.onFunctionDeleted(name).catch(() => undefined);
        triggers?.onFunctionDeleted(name);
      },
      persist: () => store.persist(),
    },
  );
  functions = registry;
  const versionStore = new Versions(registry, {
    prune: (record) => code.prune(record.functionId, codeInUse(record)),
    persist: () => store.persist(),
    onAliasMoved: (name, alias, versionId) => sessions?.onAliasMoved(name, alias, versionId),
    onVersionDeleted: (name, versionId) => sessions?.onVersionDeleted(name, versionId),
  });
  versions = versionStore;
  const sessionManager = new SessionManager(
    registry,
    store,
    {
      sweepIntervalMs: o.sessionSweepIntervalMs,
      expiredRetentionMs: o.expiredSessionRetentionSeconds * 1000,
      onInstanceLoss: o.onInstanceLoss,
      pausedInvocation: o.pausedSessionInvocation,
      onAliasMove: o.onAliasMove,
    },
    (name, versionId) => versionStore.entryOf(name, versionId),
  );
  sessions = sessionManager;

  const background = new BackgroundTasks();
  const invoker = new Invoker(sessionManager, {
    maxSessionRequestsPerInstance: o.maxSessionRequestsPerInstance,
    logSettleMs: DEFAULTS.logSettleMs,
    accountId: o.accountId,
  });
  const timers = new TimerScheduler((record, triggerTimeMs) => {
    const requestId = newRequestId();
    background.run(async () => {
      const target = versionStore.resolve(record.functionName, record.qualifier);
      const result = await invoker.invoke({
        entry: target.entry,
        scope: { qualifier: target.qualifier, versionId: target.versionId },
        requestId,
        body: Buffer.from(timerEvent(record, triggerTimeMs)),
        headers: {},
        logTail: false,
        ignoreSessions: true,
        instanceHeaders: {},
      });
      if (result.errorType)
        o.onDiagnostic?.(
          `timer trigger ${record.triggerName} of ${record.functionName} (${requestId}) failed: ${result.errorType}`,
        );
    });
  });
  const triggerRegistry = new TriggerRegistry({
    onChange: (functionName, triggerName, record) => timers.sync(functionName, triggerName, record),
    persist: () => store.persist(),
  });
  triggers = triggerRegistry;

  const saved = await store.load();
  if (saved) {
    for (const record of saved.functions) registry.restore(record);
    for (const record of saved.triggers ?? []) triggerRegistry.restore(record);
    sessionManager.restore(saved.sessions, saved.retiredSessionIds);
  }

  const adminToken = new AdminToken();
  live = new LiveFeed(() => dashboardSnapshot(services));
  const services: Services = {
    options: o,
    functions: registry,
    versions: versionStore,
    tasks,
    asyncConfigs: new AsyncInvokeConfigs(registry, () => store.persist()),
    sessions: sessionManager,
    triggers: triggerRegistry,
    invoker,
    keys,
    adminToken,
    faults,
    background,
    live,
    acceptNonce: createNonceCache(o.maxClockSkewSeconds * 2),
    endpoint: () => endpoint,
  };
  const server = createServer(services);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const { port } = server.address() as AddressInfo;
  endpoint = `http://${endpointHost(o.host)}:${port}`;
  if (o.adminApi) await adminToken.write(dataDir);
  store.start();
  sessionManager.start();

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    live?.close();
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((done) => (timer = setTimeout(done, o.stopGraceMs)))]);
    clearTimeout(timer);
    timers.stop();
    await background.drain(o.stopGraceMs);
    sessionManager.stop();
    await versionStore.close();
    await registry.close();
    server.closeAllConnections();
    await store.close();
    await adminToken.remove(dataDir);
    await unlock();
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const handle: Omit<EmulatorHandle, 'adminToken' | 'dashboardUrl'> = {
    endpoint,
    accountId: o.accountId,
    region: o.region,
    credentials: protectCredentials({ accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret }),
    dataDir,
    faults: {
      get: () => faults.current,
      set: (config) => faults.configure(parseFaultConfig(config)),
      clear: () => faults.configure({ rules: [] }),
    },
    instances: () => listInstances(services),
    stop: () => {
      stopping ??= stop();
      return stopping;
    },
  };
  return Object.defineProperties(handle, {
    adminToken: { value: o.adminApi ? adminToken.value : undefined, enumerable: false },
    dashboardUrl: {
      value: o.adminApi ? `${endpoint}/_emulator/ui?token=${adminToken.value}` : undefined,
      enumerable: false,
    },
  }) as EmulatorHandle;
}
