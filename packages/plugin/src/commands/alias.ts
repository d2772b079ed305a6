import { EXIT } from '../core/errors.js';
import { formatAliases, formatObject } from '../core/format.js';
import { listAliases, saveAlias } from '../core/versions.js';
import { defineCommand } from './define.js';

const ALIAS = { aliasName: 'the alias to work on' } as const;

export const aliasCreate = defineCommand(
  {
    path: ['alias', 'create'],
    summary: 'Create an alias',
    description:
      "Points a new alias at a version, optionally with canary weights (the flags of fc3's s alias publish).\n\n" +
      'Examples:\n  alias create --alias-name prod --version-id latest\n  alias create --alias-name canary --version-id 1 --vw \'{"2":0.2}\'',
    options: ['aliasName', 'versionId', 'description', 'versionWeight'],
    required: { ...ALIAS, versionId: 'the version the alias points at (or latest)' },
  },
  async (input, { target, client }) => {
    const alias = await saveAlias(await client(), target.functionName, input, 'create');
    return { data: alias, text: formatObject(alias), exitCode: EXIT.ok };
  },
);

export const aliasUpdate = defineCommand(
  {
    path: ['alias', 'update'],
    summary: 'Move an alias or change its weights',
    description:
      "Points an alias at another version, or changes its description or canary weights (--vw '{}' removes them).\n\n" +
      'Example:\n  alias update --alias-name prod --version-id 2',
    options: ['aliasName', 'versionId', 'description', 'versionWeight'],
    required: ALIAS,
  },
  async (input, { target, client }) => {
    const alias = await saveAlias(await client(), target.functionName, input, 'update');
    return { data: alias, text: formatObject(alias), exitCode: EXIT.ok };
  },
);

export const aliasGet = defineCommand(
  {
    path: ['alias', 'get'],
    summary: 'Show an alias',
    description: 'Shows an alias: its version and canary weights.',
    options: ['aliasName'],
    required: ALIAS,
  },
  async (input, { target, client, signal }) => {
    const alias = await (await client()).getAlias(target.functionName, input.aliasName, { signal });
    return { data: alias, text: formatObject(alias), exitCode: EXIT.ok };
  },
);

export const aliasList = defineCommand(
  {
    path: ['alias', 'list'],
    summary: 'List aliases',
    description: 'Lists the aliases of the function.',
    options: [],
  },
  async (_input, { target, client, signal }) => {
    const aliases = await listAliases(await client(), target.functionName, signal);
    return { data: { aliases }, text: formatAliases(aliases), exitCode: EXIT.ok };
  },
);

export const aliasDelete = defineCommand(
  {
    path: ['alias', 'delete'],
    alias: 'remove',
    summary: 'Delete an alias',
    description: 'Deletes an alias.',
    options: ['aliasName', 'assumeYes'],
    required: ALIAS,
  },
  async (input, { target, client, signal }) => {
    await (await client()).deleteAlias(target.functionName, input.aliasName, { signal });
    return {
      data: { aliasName: input.aliasName, deleted: true },
      text: `deleted alias ${input.aliasName}\n`,
      exitCode: EXIT.ok,
    };
  },
);
