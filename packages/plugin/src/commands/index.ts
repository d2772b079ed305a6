import type { Command } from './define.js';
import { invoke } from './invoke.js';
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
];

export const SESSION_SUBCOMMANDS = COMMANDS.filter((c) => c.definition.path[0] === 'session').map(
  (c) => c.definition.path[1] as string,
);

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
