import type { Command, RunOutcome } from '../commands/define.js';
import { invoke } from '../commands/invoke.js';
import { keep } from '../commands/keep.js';
import { failureOutcome } from '../commands/outcome.js';
import { prefetch, prune } from '../commands/prefetch.js';
import { sessionList } from '../commands/session.js';
import { isPlainObject } from '../core/check.js';
import { EXIT, exitCodeOf, summarizeError } from '../core/errors.js';
import { formatPrefetch, prefetchSummary } from '../core/format.js';
import type { PrefetchResult } from '../core/prefetch.js';
import type { Setting } from '../settings/define.js';
import { keysIn, type Source } from '../settings/resolve.js';
import { SETTINGS, type SettingKey } from '../settings/settings.js';
import { fcSessionsSchema } from './schema.js';
import type { PluginUtils, Serverless, ServerlessOptions } from './types.js';

const CONFIG = 'custom.fcSessions';
const SERVICE_KEYS = [...keysIn('service'), 'functions'];
const FUNCTION_KEYS = keysIn('function');

/** The keeper's own settings (not prefetch's): `intervalSeconds`, `renewBeforeSeconds`, ... */
const KEEPER_KEYS = keysIn('keep').filter((key) => key !== 'functionNames');
/** The settings `fcs keep` takes as options, named as `fcs` names them (`--renew-before`, `--once`, ...). */
const KEEP_OPTIONS = ['count', ...KEEPER_KEYS] as const;

/** The framework's options (`--data`, `-p`, ...) under our setting names, as this plugin declares them below. */
const OPTION_NAMES: Readonly<Record<string, string>> = {
  event: 'data',
  eventFile: 'path',
  sessionId: 'session-id',
  useSession: 'without-session',
  invocationType: 'invocation-type',
  asyncTaskId: 'async-task-id',
  logType: 'log-type',
};

/** `--<flag>` of a setting: the framework option this plugin declares for it. */
function optionName(key: string): string {
  return OPTION_NAMES[key] ?? (SETTINGS[key as SettingKey] as Setting | undefined)?.flag?.name ?? key;
}

/** The framework's declaration of the options of `fcs keep`, from the settings' flags. */
function keepOptions(): Record<string, { usage: string; type: 'string' | 'boolean'; shortcut?: string }> {
  return Object.fromEntries(
    KEEP_OPTIONS.map((key) => {
      const setting: Setting = SETTINGS[key];
      const short = setting.flag?.short;
      return [
        optionName(key),
        {
          usage: key === 'count' ? 'Sessions to keep per function (overrides the config)' : setting.doc,
          type: setting.kind.flag === 'switch' ? 'boolean' : 'string',
          ...(short ? { shortcut: short } : {}),
        },
      ];
    }),
  );
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Serverless Framework plugin (serverless 3.x, osls 4.x): prefetches sessions after `deploy` and
 * `deploy function`, and adds `fcs prefetch|list|prune|invoke|keep`. Configured by `custom.fcSessions`.
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
              trim: { usage: 'Delete extras, the highest slots (default; --no-trim: keep them)', type: 'boolean' },
            },
          },
          list: {
            usage: 'List the sessions of a function',
            lifecycleEvents: ['run'],
            options: { ...common, all: { usage: 'Every page', type: 'boolean' } },
          },
          prune: { usage: 'Delete the sessions prefetch made', lifecycleEvents: ['run'], options: common },
          keep: {
            usage:
              'Keep custom.fcSessions.count Active sessions per function, reconciling every interval until ' +
              'Ctrl-C or SIGTERM (--once: one reconcile); one line per reconcile (--json: one JSON object)',
            lifecycleEvents: ['run'],
            options: { ...common, ...keepOptions() },
          },
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
        this.#checkConfig(this.#only);
      },
      'after:deploy:deploy': () => this.#prefetchAll(),
      'after:deploy:function:deploy': () => this.#prefetchAll(this.#only, true),
      'fcs:prefetch:run': () => this.#prefetchAll(this.#only),
      'fcs:list:run': () => this.#eachFunction(sessionList, () => ({ all: this.options['all'] === true })),
      'fcs:prune:run': () => this.#eachFunction(prune, () => ({})),
      'fcs:keep:run': () => this.#keep(),
      'fcs:invoke:run': () =>
        this.#eachFunction(invoke, () => ({
          event: this.options['data'],
          eventFile: this.options['path'],
          sessionId: this.options['session-id'],
          useSession: this.options['without-session'] === true ? false : undefined,
          header: this.options['header'] === undefined ? undefined : [this.options['header']].flat(),
          invocationType: this.options['invocation-type'],
          asyncTaskId: this.options['async-task-id'],
          logType: this.options['log-type'],
        })),
    };
  }

  /** `-f <key>`: the one function a command or `deploy function` is about. */
  get #only(): string | undefined {
    const only = this.options['function'];
    return only === undefined ? undefined : String(only);
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

  /**
   * Where the settings of one function come from, first wins: the command line, its
   * `custom.fcSessions.functions.<key>`, `custom.fcSessions`, then the framework's own (the
   * function's `name`, `provider.region`).
   */
  #sources(key: string, fromOptions: Record<string, unknown>): Source[] {
    const options = {
      qualifier: this.options['qualifier'],
      region: this.options['region'],
      endpoint: this.options['endpoint'],
      ...fromOptions,
    };
    return [
      { values: options, name: (name) => `--${optionName(name)}` },
      { values: this.#functionConfig(key), name: (name) => `${CONFIG}.functions.${key}.${name}`, known: FUNCTION_KEYS },
      { values: this.#config, name: (name) => `${CONFIG}.${name}`, known: SERVICE_KEYS },
      {
        values: {
          functionName: this.serverless.service.functions?.[key]?.name ?? key,
          region: this.serverless.service.provider.region,
        },
        name: (name) => (name === 'region' ? 'provider.region' : `functions.${key}.name`),
      },
    ];
  }

  #prefetchSources(key: string): Source[] {
    const trim = this.options['trim'];
    return this.#sources(key, { count: this.options['count'], trim: typeof trim === 'boolean' ? trim : undefined });
  }

  get #context() {
    return {
      connect: {},
      functionHint: `-f or ${CONFIG}.functions`,
      baseDir: this.#baseDir,
      progress: (line: string) => this.utils?.log.info?.(line),
      warning: (line: string) => this.utils?.log.warning?.(line),
    };
  }

  /**
   * The function keys to prefetch, every one's settings checked before any call; errors name the
   * config path. A function whose config holds a keeper setting (`renewBeforeSeconds`, ...) also
   * gets the keeper's checks across settings, as `fcs keep` runs them, with the same errors.
   */
  #checkConfig(only?: string): string[] {
    try {
      const keys = this.#configuredKeys();
      const chosen = only === undefined ? keys : keys.filter((key) => key === only);
      for (const key of chosen) {
        prefetch.check(this.#prefetchSources(key), this.#context);
        const written = { ...this.#config, ...this.#functionConfig(key) };
        if (KEEPER_KEYS.some((name) => written[name] !== undefined)) keep.check(this.#sources(key, {}), this.#context);
      }
      return chosen;
    } catch (error) {
      throw this.#error(summarizeError(error).message);
    }
  }

  async #prefetchAll(only?: string, quietWhenUnconfigured = false): Promise<void> {
    if (quietWhenUnconfigured && this.serverless.service.custom?.['fcSessions'] === undefined) return;
    const keys = this.#checkConfig(only);
    const results: PrefetchResult[] = [];
    for (const key of keys) {
      const progress = this.utils?.progress?.create({ message: `Prefetching the sessions of ${key}` });
      try {
        const { data: result } = await prefetch.execute(this.#prefetchSources(key), {
          ...this.#context,
          progress: (line) => {
            progress?.update(line);
            this.utils?.log.info?.(line);
          },
        });
        results.push(result);
        if (result.complete) this.utils?.log.notice?.(prefetchSummary(result));
        else this.utils?.log.warning?.(`${prefetchSummary(result)}${result.error ? ` - ${result.error.message}` : ''}`);
      } catch (error) {
        const outcome = failureOutcome(error);
        if (this.options['json'] === true) this.utils?.writeText(JSON.stringify(outcome.data, null, 2));
        else if (outcome.text) this.utils?.writeText(outcome.text);
        throw this.#error(`fc-sessions: ${summarizeError(error).message}`);
      } finally {
        progress?.remove();
      }
    }
    if (results.length > 0) this.#print(results, results.map((r) => formatPrefetch(r)).join('\n'));
  }

  async #eachFunction(command: Command, fromOptions: () => Record<string, unknown>): Promise<void> {
    const keys = this.#only !== undefined ? [this.#only] : this.#configuredKeys();
    const outcomes: RunOutcome[] = [];
    for (const key of keys) {
      let outcome: RunOutcome;
      try {
        outcome = await command.execute(this.#sources(key, fromOptions()), this.#context);
      } catch (error) {
        if (this.options['json'] === true) this.utils?.writeText(JSON.stringify(failureOutcome(error).data, null, 2));
        throw this.#error(`fc-sessions: ${summarizeError(error).code}: ${summarizeError(error).message}`);
      }
      outcomes.push(outcome);
      if (outcome.exitCode !== 0) {
        this.#print([outcome.data], outcome.text);
        const failed = outcome.functionError;
        throw this.#error(
          failed
            ? `function ${failed.functionName} failed: ${failed.errorType}`
            : `fc-sessions: ${command.definition.path.join(' ')} did not complete`,
        );
      }
    }
    this.#print(
      outcomes.map((o) => o.data),
      outcomes.map((o) => o.text).join('\n'),
    );
  }

  /**
   * `fcs keep`: one keeper per function (each with its own `custom.fcSessions` settings), all
   * checked before any call, run until SIGINT/SIGTERM (the reconcile running finishes) or, with
   * `--once`, for one reconcile. Each reconcile prints a line (`--json`: its report as one JSON
   * line). Exits with the `fcs` codes: 2 for a bad setting, 5 when `--once` did not reach N, 130 when stopped.
   */
  async #keep(): Promise<void> {
    const fromOptions = Object.fromEntries(KEEP_OPTIONS.map((key) => [key, this.options[optionName(key)]]));
    const json = this.options['json'] === true;
    const fail = (error: unknown) => {
      const summary = summarizeError(error);
      if (json) this.utils?.writeText(JSON.stringify(failureOutcome(error).data));
      this.utils?.log.error?.(`fc-sessions: ${summary.code}: ${summary.message}`);
      process.exitCode = exitCodeOf(error);
    };
    let sources: Source[][];
    try {
      const keys = this.#only !== undefined ? [this.#only] : this.#configuredKeys();
      sources = keys.map((key) => this.#sources(key, fromOptions));
      for (const one of sources) keep.check(one, this.#context);
    } catch (error) {
      return fail(error);
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort(new Error('interrupted'));
    for (const name of STOP_SIGNALS) process.once(name, onSignal);
    try {
      const outcomes = await Promise.allSettled(
        sources.map((one) =>
          keep
            .execute(one, {
              ...this.#context,
              signal: stop.signal,
              report: (data, line) => this.utils?.writeText(json ? JSON.stringify(data) : line),
            })
            .catch((error: unknown) => {
              // A keeper that cannot go on (e.g. a function without session affinity) stops the others.
              stop.abort(error);
              throw error;
            }),
        ),
      );
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) return fail(failed.reason);
      const codes = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.exitCode : EXIT.ok));
      process.exitCode = stop.signal.aborted ? EXIT.interrupted : Math.max(EXIT.ok, ...codes);
    } finally {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    }
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
