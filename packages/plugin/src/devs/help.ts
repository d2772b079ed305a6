import { flagUsage } from '../commands/args.js';
import { type CommandInfo, commandFlags } from '../commands/define.js';
import { COMMAND_GROUPS, COMMANDS, subcommandsOf } from '../commands/index.js';

interface DevsHelp {
  help: { summary: string; description: string; option?: [string, string][] };
  subCommands?: Record<string, DevsHelp>;
}

function help(spec: CommandInfo): DevsHelp {
  const option = commandFlags(spec, 'devs').map((flag) => [flagUsage(flag), flag.doc] as [string, string]);
  const alias = spec.alias ? ` (fc3's "${spec.alias}" works too)` : '';
  return { help: { summary: spec.summary, description: `${spec.summary}${alias}.\n\n${spec.description}`, option } };
}

const GROUP_SUMMARIES: Readonly<Record<string, string>> = {
  session: 'Manage sessions',
  task: 'Watch and stop async tasks',
  version: 'Publish and list versions',
  alias: 'Point aliases at versions',
};

/** The `commands` map `s` reads for `s -h`, `s invoke -h`, `s session create -h` (descriptions must be strings). */
export function devsCommands(): Record<string, DevsHelp> {
  const commands: Record<string, DevsHelp> = {
    deploy: {
      help: {
        summary: 'Deploy the function (code, runtime, handler, affinity...)',
        description:
          'Creates or updates the function from the fc3-style props: code (a folder is zipped), runtime, handler, memorySize, ' +
          'timeout, instanceConcurrency, environmentVariables, customRuntimeConfig, instanceLifecycleConfig, sessionAffinity, ' +
          'sessionAffinityConfig. With HEADER_FIELD affinity it sets FCS_SESSION_HEADER. fc3 stays the full deployer ' +
          '(triggers, domains, VPC, logs): use it with the @fc-sessions/plugin action for real projects.',
        option: [],
      },
    },
  };
  const definitions = COMMANDS.map((c) => c.definition);
  for (const spec of definitions.filter((d) => d.path.length === 1)) commands[spec.path[0] as string] = help(spec);
  for (const group of COMMAND_GROUPS) {
    const subCommands: Record<string, DevsHelp> = {};
    for (const spec of definitions.filter((d) => d.path[0] === group && d.path.length === 2))
      subCommands[spec.path[1] as string] = help(spec);
    commands[group] = {
      help: {
        summary: `${GROUP_SUMMARIES[group] ?? group}: ${subcommandsOf(group).join(', ')}`,
        description: `${group} commands; see s ${group} <command> -h.`,
      },
      subCommands,
    };
  }
  return commands;
}
