import { parseArgs } from '../commands/args.js';
import { type Command, type CommandInfo, commandFlags, flagSource, type RunOutcome } from '../commands/define.js';
import { findCommand, subcommandsOf } from '../commands/index.js';
import { failureOutcome } from '../commands/outcome.js';
import { resolveSettings } from '../settings/resolve.js';
import { type ConnectOptions, createClient } from '../core/connect.js';
import { EXIT, invalidArgument, summarizeError } from '../core/errors.js';
import { deployFunction, describeDeploy, planDeploy } from './deploy.js';
import {
  aliasSource,
  devsConnect,
  isSilent,
  projectDir,
  propsSource,
  readProps,
  S_FLAGS,
  wantsData,
} from './context.js';
import { devsCommands } from './help.js';
import { removeFunction } from './remove.js';
import type { DevsInputs, DevsLogger } from './types.js';

let commands: ReturnType<typeof devsCommands> | undefined;

function connectFromProps(inputs: DevsInputs, props: Record<string, unknown>): ConnectOptions {
  return resolveSettings(['endpoint', 'region', 'access'], [propsSource(props), aliasSource(inputs)]);
}

/** An error `s` prints as "Error Message: <code>: <message>" (no stack, no secrets). */
function devsError(error: unknown): Error {
  const summary = summarizeError(error);
  return new Error(`${summary.code}: ${summary.message}${summary.requestId ? ` (request ${summary.requestId})` : ''}`);
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The Serverless Devs component: `s deploy` (the function part of fc3's props), `s invoke`,
 * `s session <create|get|update|list|delete|pause|resume|prefetch|prune>`, `s prefetch`, `s prune`, `s keep`, `s remove`.
 * `s` constructs it several times per run, so the constructor only keeps the logger.
 */
export class FcSessionsComponent {
  readonly logger: DevsLogger;

  constructor(options: { logger?: DevsLogger } = {}) {
    this.logger = options.logger ?? {};
  }

  /** Read by `s -h`, `s invoke -h`, `s session create -h`. */
  get commands(): ReturnType<typeof devsCommands> {
    commands ??= devsCommands();
    return commands;
  }

  async deploy(inputs: DevsInputs): Promise<unknown> {
    return this.#guard(inputs, async () => {
      const props = readProps(inputs);
      parseArgs(inputs.args ?? [], [{ name: 'assume-yes', key: 'assumeYes', short: 'y', takes: 'switch' }], {
        command: 's deploy',
        ignore: S_FLAGS,
      });
      const connect = connectFromProps(inputs, props);
      const plan = await planDeploy(props, projectDir(inputs));
      if (plan.ignored.length > 0) {
        this.logger.warn?.(
          `not deployed by @fc-sessions/plugin (use fc3 for them): ${plan.ignored.map((k) => `props.${k}`).join(', ')}`,
        );
      }
      const client = createClient({ ...connect, ...(await devsConnect(inputs, connect)) });
      try {
        const result = await deployFunction(client, plan, connect.region);
        this.logger.info?.(describeDeploy(result));
        return { data: result, text: '', exitCode: EXIT.ok };
      } finally {
        client.close();
      }
    });
  }

  async invoke(inputs: DevsInputs): Promise<unknown> {
    return this.#command(['invoke'], inputs, inputs.args ?? []);
  }

  async session(inputs: DevsInputs): Promise<unknown> {
    return this.#group('session', inputs);
  }

  /** `s task get|list|stop`. */
  async task(inputs: DevsInputs): Promise<unknown> {
    return this.#group('task', inputs);
  }

  /** `s version publish|list|delete` (fc3's remove = delete). */
  async version(inputs: DevsInputs): Promise<unknown> {
    return this.#group('version', inputs);
  }

  /** `s alias create|update|get|list|delete` (fc3's remove = delete). */
  async alias(inputs: DevsInputs): Promise<unknown> {
    return this.#group('alias', inputs);
  }

  async prefetch(inputs: DevsInputs): Promise<unknown> {
    return this.#command(['prefetch'], inputs, inputs.args ?? []);
  }

  async prune(inputs: DevsInputs): Promise<unknown> {
    return this.#command(['prune'], inputs, inputs.args ?? []);
  }

  /** `s remove`: the keeper on FC and the sessions (as `s prune`), then the triggers and the function. */
  async remove(inputs: DevsInputs): Promise<unknown> {
    return this.#guard(inputs, () => this.#run(removeFunction, inputs, inputs.args ?? []));
  }

  #group(group: string, inputs: DevsInputs): Promise<unknown> {
    const [sub, ...rest] = inputs.args ?? [];
    const command = sub === undefined || sub.startsWith('-') ? undefined : findCommand([group, sub]);
    return this.#guard(
      inputs,
      async () => {
        if (!command) {
          const remove = findCommand([group, 'remove']) ? " (fc3's remove = delete)" : '';
          throw invalidArgument(`${group} command`, sub, `must be one of ${subcommandsOf(group).join(', ')}${remove}`);
        }
        return this.#run(command, inputs, rest);
      },
      command?.definition.output,
    );
  }

  /** `s keep`: the foreground keeper (see `fcs keep`); Ctrl-C or SIGTERM stops it after the reconcile running. */
  async keep(inputs: DevsInputs): Promise<unknown> {
    return this.#command(['keep'], inputs, inputs.args ?? []);
  }

  #command(path: string[], inputs: DevsInputs, argv: string[]): Promise<unknown> {
    const command = findCommand(path);
    return this.#guard(
      inputs,
      async () => {
        if (!command) throw invalidArgument('command', path.join(' '), 'is not a command');
        return this.#run(command, inputs, argv);
      },
      command?.definition.output,
    );
  }

  async #run(command: Command, inputs: DevsInputs, argv: string[]): Promise<RunOutcome> {
    const props = readProps(inputs);
    const flags = commandFlags(command.definition, 'devs');
    const { values } = parseArgs(argv, flags, {
      command: `s ${command.definition.path.join(' ')}`,
      ignore: S_FLAGS,
    });
    const stop = new AbortController();
    const onSignal = () => stop.abort(new Error('interrupted'));
    if (command.definition.streams) for (const name of STOP_SIGNALS) process.once(name, onSignal);
    try {
      return await command.execute([flagSource(values, flags), propsSource(props), aliasSource(inputs)], {
        connect: {},
        functionHint: 'props.functionName or --function-name',
        baseDir: projectDir(inputs),
        progress: (line) => this.logger.info?.(line),
        warning: (line) => this.logger.warn?.(line),
        report: (_data, line) => this.logger.info?.(line),
        signal: stop.signal,
        resolveConnect: (connect) => devsConnect(inputs, connect),
      });
    } finally {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    }
  }

  /**
   * `s` turns any thrown error into exit 101, except with `-o`: then it swallows it (exit 0, no
   * output). So with `-o` the result or the error is returned as data and the exit code is set on
   * `process.exitCode`; otherwise a failure is thrown. A command whose `output` is `text` (`invoke`:
   * fc3's block) has its text printed instead of its data returned, unless `-o`/`--silent`.
   */
  async #guard(
    inputs: DevsInputs,
    work: () => Promise<RunOutcome>,
    output: CommandInfo['output'] = 'data',
  ): Promise<unknown> {
    const args = inputs.args ?? [];
    const dataMode = wantsData(args);
    const quiet = dataMode || isSilent(args);
    let outcome: RunOutcome;
    try {
      outcome = await work();
    } catch (error) {
      if (!dataMode) throw devsError(error);
      outcome = failureOutcome(error);
    }
    const printed = output === 'text' && !quiet;
    if (printed) this.logger.write?.(outcome.text);
    if (outcome.exitCode !== EXIT.ok) {
      if (dataMode) {
        process.exitCode = outcome.exitCode;
        return outcome.data;
      }
      const failed = outcome.functionError;
      throw new Error(
        failed
          ? `${failed.errorType}: function ${failed.functionName} failed (request ${failed.requestId})`
          : `exit code ${outcome.exitCode}: ${outcome.text.trim().split('\n').pop()}`,
      );
    }
    return printed ? undefined : outcome.data;
  }
}
