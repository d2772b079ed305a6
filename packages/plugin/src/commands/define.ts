import type { FcClient } from '@fc-sessions/client';
import { type ConnectOptions, createClient } from '../core/connect.js';
import type { FormatOptions } from '../core/format.js';
import type { FunctionFailure } from '../core/invoke.js';
import { resolveTarget, type Target } from '../core/target.js';
import type { Setting } from '../settings/define.js';
import { type FieldOf, fieldsOf, type Resolved, resolveSettings, type Source } from '../settings/resolve.js';
import { SETTINGS, type SettingKey } from '../settings/settings.js';
import type { ParserFlag } from './args.js';

/** The front doors that parse command flags: the `fcs` command line and the Serverless Devs component. */
export type Door = 'cli' | 'devs';

/** Options every command takes: which function, and how to reach FC and the manifest. */
export const TARGET_KEYS = [
  'functionName',
  'qualifier',
  'region',
  'endpoint',
  'accountId',
  'access',
  'callTimeoutSeconds',
  'maxAttempts',
  'manifestDir',
  'json',
] as const;
type TargetKey = (typeof TARGET_KEYS)[number];

/** What front doors read of a command (list, help, flags, how to print): its definition without the typed checks. */
export interface CommandInfo {
  /** e.g. `['session', 'create']`. */
  path: readonly string[];
  summary: string;
  description: string;
  /** fc3's name for the same command, e.g. `remove` for `delete`. */
  alias?: string;
  /** The settings it takes besides `TARGET_KEYS`, in help order. */
  options: readonly SettingKey[];
  /** Options that must be given, with what they are for (named in the error). */
  required?: Readonly<Partial<Record<SettingKey, string>>>;
  /** What an option means for this command, when it differs from the setting's doc. */
  docs?: Partial<Record<SettingKey, string>>;
  /** Takes any number of functions as arguments (in `functionNames`; the first is also `functionName`). */
  manyFunctions?: boolean;
  /** Runs until stopped and tells each step through `RunContext.report`: front doors print no final result. */
  streams?: boolean;
  /**
   * How a front door that returns data to its host (the `s` component, whose host prints it as YAML)
   * shows the outcome: `data` (default) returns it; `text` prints the outcome's text as it is (fc3's
   * block of `invoke`) and returns nothing, unless the user asked for data (`-o`) or silence.
   */
  output?: 'data' | 'text';
  /** Its settings are those of the keeper on FC: a setting's `keeperDefault` applies. */
  keeper?: boolean;
}

export interface CommandDefinition<K extends SettingKey = SettingKey, R extends K = never> extends CommandInfo {
  options: readonly K[];
  required?: Readonly<Record<R, string>>;
  docs?: Partial<Record<K, string>>;
  /**
   * The checks across options (each option alone is checked by its kind): throws, naming the field
   * as `fieldOf` says it was written. Runs before any call, with the other checks.
   */
  check?: (input: CommandInput<K, R>, fieldOf: FieldOf) => void;
}

/** What the host knows before the options are read. */
export interface RunContext {
  connect: ConnectOptions;
  /** Relative paths (manifest dir, event files) are resolved here. */
  baseDir: string;
  /** Where the user names the function, for the error when none is given: e.g. `props.functionName or --function-name`. */
  functionHint: string;
  /** Read the event from piped standard input when neither -e nor -f is given. */
  stdinWhenPiped?: boolean | undefined;
  format?: FormatOptions | undefined;
  /** Receives progress lines of long work (prefetch, prune). */
  progress?: ((line: string) => void) | undefined;
  /** Receives warnings (a stale manifest lock taken over). */
  warning?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Receives each step of a streaming command (one reconcile of `keep`): its data and a status line. */
  report?: ((data: unknown, line: string) => void) | undefined;
  /** Called once the options are checked, before the first call: e.g. asks `s` for credentials. */
  resolveConnect?: ((connect: ConnectOptions) => Promise<Partial<ConnectOptions>>) | undefined;
}

/**
 * A command's answer: `data` for JSON and return values, `text` for people (stdout), `errorText`
 * (stderr), the exit code, and `functionError` when the function itself failed.
 */
export interface RunOutcome<D = unknown> {
  data: D;
  text: string;
  errorText?: string | undefined;
  exitCode: number;
  functionError?: FunctionFailure | undefined;
}

/** What a command's `run` gets: its target, and a client made on first use (after its own checks). */
export interface CommandScope extends RunContext {
  target: Target;
  client(): Promise<FcClient>;
}

/** The checked options every command takes, the function always named. */
export type TargetInput = Resolved<TargetKey, 'functionName'>;

/** A command's checked options: `TARGET_KEYS` and its own. */
export type CommandInput<K extends SettingKey, R extends K> = TargetInput & Resolved<K, R>;

/** A command, its types erased: what front doors list, show help for and execute. */
export interface Command<D = unknown> {
  readonly definition: CommandInfo;
  /** Reads and checks the options from `sources` (flags first) and throws on the first bad one; nothing is sent. */
  check(sources: readonly Source[], ctx: Pick<RunContext, 'connect' | 'functionHint'>): void;
  /** `check`, then runs the command. */
  execute(sources: readonly Source[], ctx: RunContext): Promise<RunOutcome<D>>;
}

/**
 * A command from its definition and its `run`, whose input is typed from the definition's options.
 * Every option is read and checked once, before any call.
 */
export function defineCommand<const K extends SettingKey, const R extends K = never, D = unknown>(
  definition: CommandDefinition<K, R>,
  run: (input: CommandInput<K, R>, scope: CommandScope) => Promise<RunOutcome<D>>,
): Command<D> {
  const read = (sources: readonly Source[], ctx: Pick<RunContext, 'connect' | 'functionHint'>) => {
    const { env } = ctx.connect;
    const keeper = definition.keeper;
    const where: TargetInput = resolveSettings(TARGET_KEYS, sources, {
      required: { functionName: `the function ${definition.path.join(' ')} works on (${ctx.functionHint})` },
      env,
      keeper,
    });
    const own = resolveSettings(definition.options, sources, { required: definition.required, env, keeper });
    const input: CommandInput<K, R> = { ...where, ...own };
    definition.check?.(input, fieldsOf(sources, env));
    return { where, input };
  };
  return {
    definition,
    check(sources, ctx) {
      read(sources, ctx);
    },
    async execute(sources, ctx) {
      const { where, input } = read(sources, ctx);
      const target = await resolveTarget(where, ctx);
      let made: FcClient | undefined;
      const client = async () => {
        made ??= createClient({ ...target.connect, ...(await ctx.resolveConnect?.(target.connect)) });
        return made;
      };
      try {
        return await run(input, { ...ctx, target, client });
      } finally {
        made?.close();
      }
    },
  };
}

/** One flag of a command as a front door shows and parses it. */
export interface CommandFlag extends ParserFlag {
  key: SettingKey;
  doc: string;
}

/** The flags a front door takes for a command: its options, then the common ones. */
export function commandFlags(definition: CommandInfo, door: Door): CommandFlag[] {
  const keys: SettingKey[] = [...definition.options, ...TARGET_KEYS.filter((k) => !definition.options.includes(k))];
  return keys.flatMap((key) => {
    const setting: Setting = SETTINGS[key];
    const flag = setting.flag;
    if (!flag || (flag.only !== undefined && flag.only !== door)) return [];
    const required = definition.required?.[key];
    const doc = definition.docs?.[key] ?? `${setting.doc}${required ? ' (required)' : ''}`;
    return [{ ...flag, key, doc, takes: setting.kind.flag, placeholder: setting.kind.placeholder }];
  });
}

/** Parsed flags as the first source of settings, each named as its flag (`--count`). */
export function flagSource(values: object, flags: readonly CommandFlag[]): Source {
  const names = new Map<string, string>(flags.map((flag) => [flag.key, `--${flag.name}`]));
  return { values, name: (key) => names.get(key) ?? `--${key}` };
}
