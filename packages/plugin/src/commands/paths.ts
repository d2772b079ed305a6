import type { CommandInfo } from './define.js';

/** Anything listed by its command's path: a command, or an entry of the `fcs` table. */
interface Listed {
  readonly definition: Pick<CommandInfo, 'path' | 'alias'>;
}

/** Commands of two words (`session create`, `task stop`, ...), by their first word. */
export function commandGroups(list: readonly Listed[]): string[] {
  return [...new Set(list.filter((c) => c.definition.path.length === 2).map((c) => c.definition.path[0] as string))];
}

/** The second words of a group's commands, e.g. `get, list, stop` for `task`. */
export function subcommands(list: readonly Listed[], group: string): string[] {
  return list
    .filter((c) => c.definition.path[0] === group && c.definition.path.length === 2)
    .map((c) => c.definition.path[1] as string);
}

/** The entry for a path (`['session', 'remove']` finds `delete`). */
export function findIn<T extends Listed>(list: readonly T[], path: readonly string[]): T | undefined {
  return list.find(({ definition: d }) => {
    const last = d.path.length - 1;
    return (
      d.path.length === path.length &&
      d.path.every((part, i) => part === path[i] || (i === last && d.alias === path[i]))
    );
  });
}
