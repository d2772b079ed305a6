import type { Credentials } from '@fc-sessions/client/signing';
import type { FaultConfig } from './faults/faults.js';

/** Contract defaults (contracts.md): shared by `startEmulator` and `fcs emulator`. */
export const DEFAULTS = {
  host: '127.0.0.1',
  cliPort: 9100,
  port: 0,
  cliDataDir: '.fcs/emulator',
  accountId: '1234567890123456',
  accessKeyId: 'fcsEmulatorAccessKeyId0001',
  accessKeySecret: 'fcsEmulatorAccessKeySecretDoNotUseInProd0001',
  region: 'cn-hangzhou',
  maxClockSkewSeconds: 900,
  instanceIdleSeconds: 180,
  instanceStartTimeoutMs: 30_000,
  stopGraceMs: 3000,
  maxInstancesPerFunction: 20,
  maxSessionRequestsPerInstance: 200,
  sessionSweepIntervalMs: 1000,
  expiredSessionRetentionSeconds: 3600,
  onInstanceLoss: 'rebind',
  pausedSessionInvocation: 'reject',
  onAliasMove: 'keep',
  stateFlushIntervalMs: 1000,
  syncState: false,
  roleCredentialSeconds: 3600,
  logSettleMs: 250,
  fc2FunctionNames: (service: string, functionName: string): string[] => [`${service}$${functionName}`, functionName],
  limits: {
    syncPayloadBytes: 32 * 1024 * 1024,
    asyncPayloadBytes: 128 * 1024,
    httpTriggerBodyBytes: 32 * 1024 * 1024,
    codeZipBytes: 100 * 1024 * 1024,
    unzippedCodeBytes: 500 * 1024 * 1024,
  },
} as const;

export interface PayloadLimits {
  /** Largest synchronous invocation payload (FC: 32 MB). */
  readonly syncPayloadBytes?: number;
  /** Largest asynchronous invocation payload (FC: 128 KB). */
  readonly asyncPayloadBytes?: number;
  /** Largest body on the HTTP-trigger route (guess: 32 MB, as sync invocations). */
  readonly httpTriggerBodyBytes?: number;
  /** Largest `code.zipFile` once decoded (guess: 100 MB). */
  readonly codeZipBytes?: number;
  /** Largest total size a code zip may unpack to (guess: 500 MB). */
  readonly unzippedCodeBytes?: number;
}

export interface InstanceLogSource {
  readonly functionName: string;
  readonly instanceId: string;
}

export interface EmulatorOptions {
  /** Interface to listen on; default 127.0.0.1. Any other than a loopback address needs `allowRemote`. */
  readonly host?: string;
  /** Allow a `host` other than a loopback address (anyone who reaches it can call the unsigned HTTP-trigger route). */
  readonly allowRemote?: boolean;
  /** Port; 0 (the default here) picks any free port. The CLI defaults to 9100. */
  readonly port?: number;
  /** Where functions, code and sessions are kept; default a new temp dir, removed again by `stop()`. */
  readonly dataDir?: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly accessKeySecret?: string;
  /** More keys to accept; a key with a `securityToken` is an STS key and must send that token. */
  readonly extraCredentials?: readonly Credentials[];
  /** Largest accepted distance between a request's date and the emulator's clock (FC: 900 s). */
  readonly maxClockSkewSeconds?: number;
  /** An instance with no session and no request for this long is stopped (guess: 180 s). */
  readonly instanceIdleSeconds?: number;
  /** How long an instance may take to listen on its port. */
  readonly instanceStartTimeoutMs?: number;
  /** How long a stopping instance gets between SIGTERM and SIGKILL. */
  readonly stopGraceMs?: number;
  /** Most instances per function (guess: 20); beyond it requests wait and new sessions get 429. */
  readonly maxInstancesPerFunction?: number;
  /** With session affinity, most requests running or waiting on one instance before 429 (FC: 200). */
  readonly maxSessionRequestsPerInstance?: number;
  readonly sessionSweepIntervalMs?: number;
  /** How long an Expired session stays in ListSessions (guess: 3600 s). */
  readonly expiredSessionRetentionSeconds?: number;
  /** A session whose instance died (crash, timeout, emulator restart): rebind on next request (default) or expire. */
  readonly onInstanceLoss?: 'rebind' | 'expire';
  /** An invocation naming a Paused session: reject with 409 SessionPaused (default) or resume the session. */
  readonly pausedSessionInvocation?: 'reject' | 'resume';
  /**
   * Sessions on an alias when the alias moves to another version (a guess: FC does not say):
   * `keep` (default) stays on the old version's instance, `follow` moves to the new version on the
   * next request (a new instance), `expire` ends them.
   */
  readonly onAliasMove?: 'keep' | 'follow' | 'expire';
  /**
   * How often session activity is written to the data dir, folding the session journal into
   * `state.json` (management changes are written at once).
   */
  readonly stateFlushIntervalMs?: number;
  /**
   * fsync `state.json` and its session journal before a change is answered, so it survives a machine
   * crash too; by default it is written (temp file and rename, or a journal append) before the
   * answer, which survives a `kill -9` of the emulator.
   */
  readonly syncState?: boolean;
  /** Lifetime of the STS keys handed to functions that have a `role`. */
  readonly roleCredentialSeconds?: number;
  /** FC 2.0 service/function -> the FC 3.0 function names to try, in order (guess: `<service>$<function>`, then `<function>`). */
  readonly fc2FunctionNames?: (service: string, functionName: string) => readonly string[];
  readonly limits?: PayloadLimits;
  readonly faults?: FaultConfig;
  /** Serve `/_emulator/*` (health, faults, instances, STS keys, the dashboard) behind the admin token; default true. */
  readonly adminApi?: boolean;
  /** Every line an instance prints (default: dropped). */
  readonly onInstanceLog?: (line: string, source: InstanceLogSource) => void;
  /** The emulator's own diagnostics, e.g. unexpected internal errors (default: dropped). */
  readonly onDiagnostic?: (message: string) => void;
  /**
   * Told of every signed API request (its action) once it is authenticated, just before faults
   * apply, in the order faults are decided: a test can act at the n-th request of a run.
   */
  readonly onRequest?: (action: string) => void;
}

export type ResolvedOptions = Required<
  Omit<EmulatorOptions, 'dataDir' | 'faults' | 'onInstanceLog' | 'onDiagnostic' | 'onRequest' | 'limits'>
> &
  Pick<EmulatorOptions, 'dataDir' | 'faults' | 'onInstanceLog' | 'onDiagnostic' | 'onRequest'> & {
    readonly limits: Required<PayloadLimits>;
  };

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`startEmulator: ${message}`);
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

const isInt = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** Fills in defaults and refuses out-of-range settings with a message naming the option. */
export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? DEFAULTS.host,
    allowRemote: options.allowRemote ?? false,
    port: options.port ?? DEFAULTS.port,
    dataDir: options.dataDir,
    accountId: options.accountId ?? DEFAULTS.accountId,
    region: options.region ?? DEFAULTS.region,
    accessKeyId: options.accessKeyId ?? DEFAULTS.accessKeyId,
    accessKeySecret: options.accessKeySecret ?? DEFAULTS.accessKeySecret,
    extraCredentials: options.extraCredentials ?? [],
    maxClockSkewSeconds: options.maxClockSkewSeconds ?? DEFAULTS.maxClockSkewSeconds,
    instanceIdleSeconds: options.instanceIdleSeconds ?? DEFAULTS.instanceIdleSeconds,
    instanceStartTimeoutMs: options.instanceStartTimeoutMs ?? DEFAULTS.instanceStartTimeoutMs,
    stopGraceMs: options.stopGraceMs ?? DEFAULTS.stopGraceMs,
    maxInstancesPerFunction: options.maxInstancesPerFunction ?? DEFAULTS.maxInstancesPerFunction,
    maxSessionRequestsPerInstance: options.maxSessionRequestsPerInstance ?? DEFAULTS.maxSessionRequestsPerInstance,
    sessionSweepIntervalMs: options.sessionSweepIntervalMs ?? DEFAULTS.sessionSweepIntervalMs,
    expiredSessionRetentionSeconds: options.expiredSessionRetentionSeconds ?? DEFAULTS.expiredSessionRetentionSeconds,
    onInstanceLoss: options.onInstanceLoss ?? DEFAULTS.onInstanceLoss,
    pausedSessionInvocation: options.pausedSessionInvocation ?? DEFAULTS.pausedSessionInvocation,
    onAliasMove: options.onAliasMove ?? DEFAULTS.onAliasMove,
    stateFlushIntervalMs: options.stateFlushIntervalMs ?? DEFAULTS.stateFlushIntervalMs,
    syncState: options.syncState ?? DEFAULTS.syncState,
    roleCredentialSeconds: options.roleCredentialSeconds ?? DEFAULTS.roleCredentialSeconds,
    fc2FunctionNames: options.fc2FunctionNames ?? DEFAULTS.fc2FunctionNames,
    limits: { ...DEFAULTS.limits, ...options.limits },
    faults: options.faults,
    adminApi: options.adminApi ?? true,
    onInstanceLog: options.onInstanceLog,
    onDiagnostic: options.onDiagnostic,
    onRequest: options.onRequest,
  };
  check(isInt(resolved.port, 0, 65535), `port must be an integer in [0, 65535]; got ${resolved.port}`);
  check(
    resolved.allowRemote || isLoopback(resolved.host),
    `host "${resolved.host}" is not a loopback address: set allowRemote (--allow-remote) to listen on it`,
  );
  check(/^\d{1,32}$/.test(resolved.accountId), `accountId must be digits; got "${resolved.accountId}"`);
  check(/^[a-z0-9-]{1,64}$/.test(resolved.region), `region must look like cn-hangzhou; got "${resolved.region}"`);
  check(
    resolved.accessKeyId.length > 0 && resolved.accessKeySecret.length > 0,
    'accessKeyId and accessKeySecret must not be empty',
  );
  check(isInt(resolved.maxClockSkewSeconds, 1, 86400), 'maxClockSkewSeconds must be an integer in [1, 86400]');
  check(
    resolved.instanceIdleSeconds > 0 && resolved.instanceIdleSeconds <= 86400,
    'instanceIdleSeconds must be in (0, 86400]',
  );
  check(
    isInt(resolved.instanceStartTimeoutMs, 100, 600_000),
    'instanceStartTimeoutMs must be an integer in [100, 600000]',
  );
  check(isInt(resolved.stopGraceMs, 0, 600_000), 'stopGraceMs must be an integer in [0, 600000]');
  check(isInt(resolved.maxInstancesPerFunction, 1, 1000), 'maxInstancesPerFunction must be an integer in [1, 1000]');
  check(
    isInt(resolved.maxSessionRequestsPerInstance, 1, 100_000),
    'maxSessionRequestsPerInstance must be an integer in [1, 100000]',
  );
  check(
    isInt(resolved.sessionSweepIntervalMs, 10, 3_600_000),
    'sessionSweepIntervalMs must be an integer in [10, 3600000]',
  );
  check(resolved.expiredSessionRetentionSeconds >= 0, 'expiredSessionRetentionSeconds must be >= 0');
  check(['rebind', 'expire'].includes(resolved.onInstanceLoss), 'onInstanceLoss must be "rebind" or "expire"');
  check(
    ['reject', 'resume'].includes(resolved.pausedSessionInvocation),
    'pausedSessionInvocation must be "reject" or "resume"',
  );
  check(
    ['keep', 'follow', 'expire'].includes(resolved.onAliasMove),
    'onAliasMove must be "keep", "follow" or "expire"',
  );
  check(
    isInt(resolved.stateFlushIntervalMs, 10, 3_600_000),
    'stateFlushIntervalMs must be an integer in [10, 3600000]',
  );
  check(isInt(resolved.roleCredentialSeconds, 60, 43_200), 'roleCredentialSeconds must be an integer in [60, 43200]');
  for (const [name, value] of Object.entries(resolved.limits)) {
    check(isInt(value, 1, 2 ** 40), `limits.${name} must be a positive integer; got ${value}`);
  }
  return resolved;
}
