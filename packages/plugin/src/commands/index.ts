import { aliasCreate, aliasDelete, aliasGet, aliasList, aliasUpdate } from './alias.js';
import type { Command } from './define.js';
import { invoke } from './invoke.js';
import { keep } from './keep.js';
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
export const COMMAND_GROUPS: readonly string[] = [
  ...new Set(COMMANDS.filter((c) => c.definition.path.length === 2).map((c) => c.definition.path[0] as string)),
];

/** The second words of a group's commands, e.g. `get, list, stop` for `task`. */
export function subcommandsOf(group: string): string[] {
  return COMMANDS.filter((c) => c.definition.path[0] === group && c.definition.path.length === 2).map(
    (c) => c.definition.path[1] as string,
  );
}

/** The command for a path (`['session', 'remove']` finds `delete`). */
export function findCommand(path: readonly string[]): Command | undefined {
  return COMMANDS.find(({ definition: d }) => {
    const last = d.path.length - 1;
    return (
      d.path.length === path.length &&
      d.path.every((part, i) => part === path[i] || (i === last && d.alias === path[i]))
    );
  });
}
