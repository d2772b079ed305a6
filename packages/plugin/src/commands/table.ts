import type { Command, CommandInfo } from './define.js';
import { COMMANDS } from './index.js';

/** A command as `fcs` lists and finds it; `load` gives the command, its whole definition and its run. */
export interface CommandEntry {
  readonly definition: Pick<CommandInfo, 'path' | 'alias' | 'summary'>;
  load(): Promise<Command>;
}

/**
 * Every command, in help order. The bundled `fcs` (scripts/bundle-cli.mjs) replaces this module
 * with the same table made at build time from `COMMANDS` (path, alias and summary as data), whose
 * `load` imports only the module of that one command: `fcs invoke` then runs nothing of the others.
 */
export const COMMAND_TABLE: readonly CommandEntry[] = COMMANDS.map((command) => ({
  definition: { path: command.definition.path, alias: command.definition.alias, summary: command.definition.summary },
  load: async () => command,
}));
