import { aliasCreate, aliasDelete, aliasGet, aliasList, aliasUpdate } from './alias.js';
import type { Command } from './define.js';
import { invoke } from './invoke.js';
import { keep } from './keep.js';
import { commandGroups, findIn, subcommands } from './paths.js';
import { prefetch, prune, sessionPrefetch, sessionPrune } from './prefetch.js';
import {
  sessionCreate,
  sessionDelete,
  sessionGet,
  sessionList,
  sessionPause,
  sessionResume,
  sessionUpdate,
} from './session.js';
import { taskGet, taskList, taskStop } from './task.js';
import { versionDelete, versionList, versionPublish } from './version.js';

/** Every command of `fcs`, the `s` component and (some) the Framework plugin, in help order. */
export const COMMANDS: readonly Command[] = [
  invoke,
  sessionCreate,
  sessionGet,
  sessionUpdate,
  sessionList,
  sessionDelete,
  sessionPause,
  sessionResume,
  sessionPrefetch,
  sessionPrune,
  prefetch,
  prune,
  taskGet,
  taskList,
  taskStop,
  versionPublish,
  versionList,
  versionDelete,
  aliasCreate,
  aliasUpdate,
  aliasGet,
  aliasList,
  aliasDelete,
  keep,
];

/** Commands of two words (`session create`, `task stop`, ...), by their first word. */
export const COMMAND_GROUPS: readonly string[] = commandGroups(COMMANDS);

/** The second words of a group's commands, e.g. `get, list, stop` for `task`. */
export function subcommandsOf(group: string): string[] {
  return subcommands(COMMANDS, group);
}

/** The command for a path (`['session', 'remove']` finds `delete`). */
export function findCommand(path: readonly string[]): Command | undefined {
  return findIn(COMMANDS, path);
}
