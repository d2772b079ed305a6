import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.js';
import type { FaultRule } from './faults/faults.js';
import { DEFAULTS, type EmulatorOptions, isLoopback } from './options.js';

/** The environment variable `fcs emulator` reads the access key secret from (a flag shows in `ps`). */
export const SECRET_ENV = 'FCS_EMULATOR_ACCESS_KEY_SECRET';

export const USAGE = `Usage: fcs emulator [options]

Runs a local Function Compute 3.0 endpoint until SIGINT/SIGTERM.

Options:
  --host <host>                   interface to listen on (default ${DEFAULTS.host}); not loopback: needs --allow-remote
  --allow-remote                  allow a --host other than a loopback address (prints a warning)
  --port <port>                   port, 0 = any free port (default ${DEFAULTS.cliPort})
  --data-dir <dir>                functions, code and sessions (default ${DEFAULTS.cliDataDir})
  --account-id <id>               (default ${DEFAULTS.accountId})
  --access-key-id <id>            (default ${DEFAULTS.accessKeyId})
  --access-key-secret <secret>    (default: $${SECRET_ENV}, else the documented emulator secret; visible in ps)
  --access-key-secret-file <file> read the secret from this file (first line)
  --region <region>               (default ${DEFAULTS.region})
  --instance-idle-seconds <n>     stop idle instances without sessions after n s (default ${DEFAULTS.instanceIdleSeconds})
  --max-instances <n>             instances per function (default ${DEFAULTS.maxInstancesPerFunction})
  --on-instance-loss <mode>       rebind | expire: sessions whose instance died (default ${DEFAULTS.onInstanceLoss})
  --latency-ms <ms>               fault injection: added latency per API request
  --throttle-rate <0..1>          fault injection: share of 429 ResourceExhausted answers
  --unavailable-rate <0..1>       fault injection: share of 503 ResourceThrottled answers
  --drop-rate <0..1>              fault injection: share of dropped connections
  --fault-action <action>         apply the faults above only to this x-acs-action (e.g. InvokeFunction)
  --create-session-latency-ms <ms> fault injection: added latency on CreateSession only
  --fault-seed <n>                make fault injection deterministic
  --admin-api <on|off>            serve /_emulator/* and the dashboard behind the admin token (default on)
  --sync-state                    fsync state.json and its journal before answering a change (survives a machine crash)
  --quiet                         do not copy instance output to stderr
  -h, --help                      show this help`;

class UsageError extends Error {}

function num(value: string | undefined, flag: string, min: number, max: number, integer = true): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(parsed) ||
    parsed < min ||
    parsed > max ||
    (integer && !Number.isInteger(parsed))
  ) {
    throw new UsageError(
      `--${flag} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]; got "${value}"`,
    );
  }
  return parsed;
}

function secretFrom(flag: string | undefined, file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined && file !== undefined)
    throw new UsageError('give --access-key-secret or --access-key-secret-file, not both');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--access-key-secret-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
    }
    const secret = text.split(/\r?\n/)[0]!.trim();
    if (secret === '') throw new UsageError(`--access-key-secret-file: ${file} holds no secret on its first line`);
    return secret;
  }
  return flag ?? (env[SECRET_ENV] || undefined);
}

/** Turns `fcs emulator` flags (and `$FCS_EMULATOR_ACCESS_KEY_SECRET`) into emulator options. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EmulatorOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'account-id': { type: 'string' },
        'access-key-id': { type: 'string' },
        'access-key-secret': { type: 'string' },
        'access-key-secret-file': { type: 'string' },
        'allow-remote': { type: 'boolean' },
        'admin-api': { type: 'string' },
        region: { type: 'string' },
        'instance-idle-seconds': { type: 'string' },
        'max-instances': { type: 'string' },
        'on-instance-loss': { type: 'string' },
        'latency-ms': { type: 'string' },
        'throttle-rate': { type: 'string' },
        'unavailable-rate': { type: 'string' },
        'drop-rate': { type: 'string' },
        'fault-action': { type: 'string' },
        'create-session-latency-ms': { type: 'string' },
        'fault-seed': { type: 'string' },
        'sync-state': { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['help']) return 'help';
  const text = (name: string) => values[name] as string | undefined;
  const loss = text('on-instance-loss');
  if (loss !== undefined && loss !== 'rebind' && loss !== 'expire')
    throw new UsageError(`--on-instance-loss must be rebind or expire; got "${loss}"`);

  const adminApi = text('admin-api');
  if (adminApi !== undefined && adminApi !== 'on' && adminApi !== 'off')
    throw new UsageError(`--admin-api must be on or off; got "${adminApi}"`);

  const rule: FaultRule = {
    action: text('fault-action'),
    latencyMs: num(text('latency-ms'), 'latency-ms', 0, 600_000),
    throttleRate: num(text('throttle-rate'), 'throttle-rate', 0, 1, false),
    unavailableRate: num(text('unavailable-rate'), 'unavailable-rate', 0, 1, false),
    dropRate: num(text('drop-rate'), 'drop-rate', 0, 1, false),
  };
  const rules: FaultRule[] = [];
  if (rule.latencyMs || rule.throttleRate || rule.unavailableRate || rule.dropRate) rules.push(rule);
  const createSessionLatency = num(text('create-session-latency-ms'), 'create-session-latency-ms', 0, 600_000);
  if (createSessionLatency) rules.push({ action: 'CreateSession', latencyMs: createSessionLatency });
  const seed = num(text('fault-seed'), 'fault-seed', 0, 2 ** 32 - 1);

  const options: Record<string, unknown> = {
    host: text('host') ?? DEFAULTS.host,
    port: num(text('port'), 'port', 0, 65535) ?? DEFAULTS.cliPort,
    dataDir: text('data-dir') ?? DEFAULTS.cliDataDir,
    accountId: text('account-id'),
    accessKeyId: text('access-key-id'),
    accessKeySecret: secretFrom(text('access-key-secret'), text('access-key-secret-file'), env),
    allowRemote: values['allow-remote'] === true ? true : undefined,
    adminApi: adminApi === undefined ? undefined : adminApi === 'on',
    region: text('region'),
    instanceIdleSeconds: num(text('instance-idle-seconds'), 'instance-idle-seconds', 1, 86400),
    maxInstancesPerFunction: num(text('max-instances'), 'max-instances', 1, 1000),
    onInstanceLoss: loss,
    syncState: values['sync-state'] === true ? true : undefined,
    faults: rules.length > 0 || seed !== undefined ? { rules, ...(seed !== undefined ? { seed } : {}) } : undefined,
  };
  if (!values['quiet']) {
    options['onInstanceLog'] = (line: string, source: { functionName: string; instanceId: string }) =>
      process.stderr.write(`[${source.functionName} ${source.instanceId}] ${line}\n`);
  }
  options['onDiagnostic'] = (message: string) => process.stderr.write(`fcs emulator: ${message}\n`);
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
  return options as EmulatorOptions;
}

/**
 * `fcs emulator [options]`: starts the emulator, prints `FC emulator listening on http://<host>:<port>`
 * and `Dashboard: <url with the admin token>`,
 * and on SIGINT/SIGTERM runs pre-stop hooks, stops every instance, writes the state and returns 0.
 */
export async function main(argv: string[]): Promise<number> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fcs emulator: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    process.stderr.write(`fcs emulator: could not start: ${(error as Error).message}\n`);
    return 1;
  }
  const shownHost = options.host?.includes(':') ? `[${options.host}]` : options.host;
  const port = new URL(emulator.endpoint).port;
  const dashboard = emulator.dashboardUrl ? `Dashboard: ${emulator.dashboardUrl}\n` : '';
  process.stdout.write(`FC emulator listening on http://${shownHost}:${port}\n${dashboard}`);
  if (options.allowRemote && !isLoopback(options.host ?? DEFAULTS.host)) {
    process.stderr.write(
      `fcs emulator: WARNING: listening on ${options.host}, not only on this machine: anyone who reaches it can call the unsigned HTTP-trigger route${emulator.dashboardUrl ? ' and try the admin token' : ''}\n`,
    );
  }
  process.stderr.write(
    `fcs emulator: account ${emulator.accountId}, access key id ${emulator.credentials.accessKeyId}, region ${emulator.region}, data dir ${emulator.dataDir}\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.stderr.write('fcs emulator: stopping (pre-stop hooks, instances, state)\n');
  await emulator.stop();
  return 0;
}
