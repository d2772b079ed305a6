import { resolve } from 'node:path';
import type { Parsed } from '../commands/args.js';
import { failureOutcome, type RunOutcome, runCommand } from '../commands/run.js';
import { findCommand } from '../commands/specs.js';
import { integerOption, isPlainObject, onlyKnownKeys, stringOption } from '../core/check.js';
import { type ConnectOptions, createClient, explicitEndpoint, manifestRegion } from '../core/connect.js';
import { summarizeError } from '../core/errors.js';
import { formatPrefetch, formatPrefetchEvent, prefetchSummary } from '../core/format.js';
import { defaultManifestDir } from '../core/manifest.js';
import { type PrefetchResult, prefetchSessions } from '../core/prefetch.js';
import { PREFETCH_KEYS, type PrefetchSettings, readPrefetchSettings } from '../core/prefetch-options.js';
import { fcSessionsSchema, SERVICE_KEYS } from './schema.js';
import type { PluginUtils, Serverless, ServerlessOptions } from './types.js';

const CONFIG = 'custom.fcSessions';

interface FunctionPlan {
  key: string;
  settings: PrefetchSettings;
}

/**
 * Serverless Framework plugin (serverless 3.x, osls 4.x): prefetches sessions after `deploy` and
 * `deploy function`, and adds `fcs prefetch|list|prune|invoke`. Configured by `custom.fcSessions`.
 */
export class FcSessionsServerlessPlugin {
  readonly serverless: Serverless;
  readonly options: ServerlessOptions;
  readonly utils: PluginUtils | undefined;
  readonly hooks: Record<string, () => Promise<void>>;
  readonly commands: Record<string, unknown>;

  constructor(serverless: Serverless, options: ServerlessOptions = {}, utils?: PluginUtils) {
    this.serverless = serverless;
    this.options = options;
    this.utils = utils;
    serverless.configSchemaHandler?.defineCustomProperties(fcSessionsSchema);
    const common = {
      function: {
        usage: 'Function (key under functions:); default: every configured function',
        shortcut: 'f',
        type: 'string',
      },
      qualifier: { usage: 'Version or alias (default LATEST)', type: 'string' },
      region: { usage: 'Region (default provider.region)', type: 'string' },
      endpoint: { usage: 'FC endpoint (default $FCS_ENDPOINT)', type: 'string' },
      json: { usage: 'Print the result as JSON', type: 'boolean' },
    };
    this.commands = {
      fcs: {
        usage: 'Function Compute sessions (@fc-sessions/plugin)',
        commands: {
          prefetch: {
            usage: 'Keep custom.fcSessions.count warm sessions per function',
            lifecycleEvents: ['run'],
            options: {
              ...common,
              count: { usage: 'Sessions to keep (overrides the config)', shortcut: 'n', type: 'string' },
              trim: { usage: 'Delete extras', type: 'boolean' },
            },
          },
          list: {
            usage: 'List the sessions of a function',
            lifecycleEvents: ['run'],
            options: { ...common, all: { usage: 'Every page', type: 'boolean' } },
          },
          prune: { usage: 'Delete the sessions prefetch made', lifecycleEvents: ['run'], options: common },
          invoke: {
            usage: 'Invoke a function, into a prefetched session',
            lifecycleEvents: ['run'],
            options: {
              ...common,
              function: { ...common.function, usage: 'Function (key under functions:)', required: true },
              data: { usage: 'Event text', shortcut: 'd', type: 'string' },
              path: { usage: 'File with the event', shortcut: 'p', type: 'string' },
              'session-id': { usage: 'Session id (default: a prefetched session)', type: 'string' },
              'without-session': { usage: 'Do not use a prefetched session', type: 'boolean' },
              header: { usage: 'Extra header "name: value" (repeatable)', shortcut: 'H', type: 'multiple' },
              'invocation-type': { usage: 'Sync (default) or Async', type: 'string' },
              'async-task-id': { usage: 'Async task id', type: 'string' },
              'log-type': { usage: 'Tail (default for Sync) or None', type: 'string' },
            },
          },
        },
      },
    };
    this.hooks = {
      'before:deploy:deploy': async () => {
        this.#checkConfig();
      },
      'before:deploy:function:deploy': async () => {
        this.#checkConfig(this.options['function'] as string | undefined);
      },
      'after:deploy:deploy': () => this.#prefetchAll(),
      'after:deploy:function:deploy': () => this.#prefetchAll(this.options['function'] as string | undefined, true),
      'fcs:prefetch:run': () => this.#prefetchAll(this.options['function'] as string | undefined),
      'fcs:list:run': () => this.#eachFunction(['session', 'list'], () => ({ all: this.options['all'] === true })),
      'fcs:prune:run': () => this.#eachFunction(['prune'], () => ({ settleSeconds: this.#settleSeconds() })),
      'fcs:invoke:run': () =>
        this.#eachFunction(['invoke'], () => ({
          event: this.options['data'],
          eventFile: this.options['path'],
          sessionId: this.options['session-id'],
          useSession: this.options['without-session'] !== true,
          header: [this.options['header'] ?? []].flat(),
          invocationType: this.options['invocation-type'],
          asyncTaskId: this.options['async-task-id'],
          logType: this.options['log-type'],
        })),
    };
  }

  get #config(): Record<string, unknown> {
    const config = this.serverless.service.custom?.['fcSessions'];
    if (config === undefined) return {};
    if (!isPlainObject(config)) throw this.#error(`${CONFIG} must be a mapping`);
    return config;
  }

  get #baseDir(): string {
    return this.serverless.serviceDir ?? this.serverless.config?.servicePath ?? process.cwd();
  }

  #connect(): ConnectOptions {
    const config = this.#config;
    return {
      endpoint:
        stringOption('--endpoint', this.options['endpoint']) ?? stringOption(`${CONFIG}.endpoint`, config['endpoint']),
      region:
        stringOption('--region', this.options['region']) ??
        stringOption(`${CONFIG}.region`, config['region']) ??
        this.serverless.service.provider.region,
      access: stringOption(`${CONFIG}.access`, config['access']),
      maxAttempts: integerOption(`${CONFIG}.maxAttempts`, config['maxAttempts'], 1, 10),
    };
  }

  /** `custom.fcSessions.manifestDir`, else `$FCS_MANIFEST_DIR`, else `.fcs/sessions`, relative to the service. */
  #manifestDir(): string {
    return resolve(
      this.#baseDir,
      stringOption(`${CONFIG}.manifestDir`, this.#config['manifestDir']) ?? defaultManifestDir(),
    );
  }

  #settleSeconds(): number | undefined {
    return integerOption(`${CONFIG}.settleSeconds`, this.#config['settleSeconds'], 0, 86_400);
  }

  /** FC's name for a function key: `custom.fcSessions.functions.<key>.functionName`, else the framework's `name`. */
  #functionName(key: string): string {
    const own = this.#functionConfig(key)['functionName'];
    if (typeof own === 'string') return own;
    return this.serverless.service.functions?.[key]?.name ?? key;
  }

  #functionConfig(key: string): Record<string, unknown> {
    const functions = this.#config['functions'];
    const entry = isPlainObject(functions) ? functions[key] : undefined;
    return isPlainObject(entry) ? entry : {};
  }

  /** The function keys prefetch works on: those under custom.fcSessions.functions, else every function. */
  #configuredKeys(): string[] {
    const functions = this.#config['functions'];
    if (functions !== undefined && !isPlainObject(functions))
      throw this.#error(`${CONFIG}.functions must be a mapping of function keys`);
    return Object.keys(isPlainObject(functions) ? functions : (this.serverless.service.functions ?? {}));
  }

  /** Reads and checks the settings of every function before any call; errors name the config path. */
  #plans(only?: string): FunctionPlan[] {
    const config = this.#config;
    onlyKnownKeys(
      config,
      [...PREFETCH_KEYS.filter((k) => k !== 'functionName'), ...SERVICE_KEYS],
      (key) => `${CONFIG}.${key}`,
    );
    this.#settleSeconds();
    const defaults = Object.fromEntries(
      Object.entries(config).filter(([key]) => (PREFETCH_KEYS as readonly string[]).includes(key)),
    );
    const keys = this.#configuredKeys();
    if (only !== undefined && !keys.includes(only)) return [];
    return (only === undefined ? keys : [only]).map((key) => {
      const own = this.#functionConfig(key);
      const path = `${CONFIG}.functions.${key}`;
      onlyKnownKeys(own, PREFETCH_KEYS, (name) => `${path}.${name}`);
      const merged: Record<string, unknown> = { ...defaults, ...own, functionName: this.#functionName(key) };
      if (this.options['count'] !== undefined) merged['count'] = this.options['count'];
      if (this.options['trim'] === true) merged['trim'] = true;
      if (this.options['qualifier'] !== undefined) merged['qualifier'] = this.options['qualifier'];
      const name = (field: string) =>
        field === 'count' && this.options['count'] !== undefined
          ? '--count'
          : field in own
            ? `${path}.${field}`
            : `${CONFIG}.${field}`;
      return { key, settings: readPrefetchSettings(merged, name) };
    });
  }

  /** Refuses a bad custom.fcSessions before the provider deploys anything. */
  #checkConfig(only?: string): FunctionPlan[] {
    try {
      return this.#plans(only);
    } catch (error) {
      throw this.#error(summarizeError(error).message);
    }
  }

  async #prefetchAll(only?: string, quietWhenUnconfigured = false): Promise<void> {
    if (quietWhenUnconfigured && this.serverless.service.custom?.['fcSessions'] === undefined) return;
    const plans = this.#checkConfig(only);
    if (plans.length === 0) return;
    const settleSeconds = this.#settleSeconds();
    const connect = this.#connect();
    const region = await manifestRegion(connect);
    const client = createClient(connect);
    const results: PrefetchResult[] = [];
    try {
      for (const plan of plans) {
        const progress = this.utils?.progress?.create({
          message: `Prefetching ${plan.settings.count} sessions of ${plan.settings.functionName}`,
        });
        try {
          const result = await prefetchSessions(client, {
            ...plan.settings,
            manifestDir: this.#manifestDir(),
            region,
            endpoint: explicitEndpoint(connect),
            settleSeconds,
            onProgress: (event) => {
              const line = formatPrefetchEvent(event);
              progress?.update(line);
              this.utils?.log.info?.(line);
            },
            onWarning: (message) => this.utils?.log.warning?.(message),
          });
          results.push(result);
          if (result.complete) this.utils?.log.notice?.(prefetchSummary(result));
          else
            this.utils?.log.warning?.(`${prefetchSummary(result)}${result.error ? ` - ${result.error.message}` : ''}`);
        } catch (error) {
          const outcome = failureOutcome(error);
          if (outcome.text) this.utils?.writeText(outcome.text);
          throw this.#error(`fc-sessions: ${summarizeError(error).message}`);
        } finally {
          progress?.remove();
        }
      }
    } finally {
      client.close();
    }
    this.#print(results, results.map((r) => formatPrefetch(r)).join('\n'));
  }

  async #eachFunction(path: string[], values: () => Record<string, unknown>): Promise<void> {
    const spec = findCommand(path);
    if (!spec) return;
    const keys = this.options['function'] !== undefined ? [this.options['function'] as string] : this.#configuredKeys();
    const outcomes: RunOutcome[] = [];
    for (const key of keys) {
      let outcome: RunOutcome;
      try {
        const parsed: Parsed = {
          values: Object.fromEntries(
            Object.entries({ ...values(), qualifier: this.options['qualifier'] }).filter(([, v]) => v !== undefined),
          ),
          positionals: [],
        };
        outcome = await runCommand(spec, parsed, {
          door: 'cli',
          connect: this.#connect(),
          functionName: this.#functionName(key),
          baseDir: this.#baseDir,
          manifestDir: this.#manifestDir(),
          progress: (line) => this.utils?.log.info?.(line),
          warning: (line) => this.utils?.log.warning?.(line),
        });
      } catch (error) {
        throw this.#error(`fc-sessions: ${summarizeError(error).code}: ${summarizeError(error).message}`);
      }
      outcomes.push(outcome);
      if (outcome.exitCode !== 0) {
        this.#print([outcome.data], outcome.text);
        const data = outcome.data as { errorType?: string };
        throw this.#error(
          data.errorType
            ? `function ${this.#functionName(key)} failed: ${data.errorType}`
            : `fc-sessions: ${spec.path.join(' ')} did not complete`,
        );
      }
    }
    this.#print(
      outcomes.map((o) => o.data),
      outcomes.map((o) => o.text).join('\n'),
    );
  }

  #print(data: unknown[], text: string): void {
    if (this.options['json'] === true)
      this.utils?.writeText(JSON.stringify(data.length === 1 ? data[0] : data, null, 2));
    else this.utils?.writeText(text.replace(/\n$/, ''));
  }

  #error(message: string): Error {
    const ServerlessError = this.serverless.classes?.Error ?? Error;
    return new ServerlessError(message);
  }
}
