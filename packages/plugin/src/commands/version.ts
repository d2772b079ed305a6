import { EXIT } from '../core/errors.js';
import { formatObject, formatVersions } from '../core/format.js';
import { listVersions, resolveVersionId } from '../core/versions.js';
import { defineCommand } from './define.js';

export const versionPublish = defineCommand(
  {
    path: ['version', 'publish'],
    summary: 'Publish a version',
    description:
      "Publishes the function's current code and configuration as a new version (fc3's s version publish).\n\n" +
      'Example:\n  version publish --description "first release"',
    options: ['description'],
  },
  async (input, { target, client, signal }) => {
    const version = await (await client()).publishFunctionVersion(
      target.functionName,
      input.description === undefined ? {} : { description: input.description },
      { signal },
    );
    return { data: version, text: formatObject(version), exitCode: EXIT.ok };
  },
);

export const versionList = defineCommand(
  {
    path: ['version', 'list'],
    summary: 'List versions',
    description: 'Lists the published versions of the function, newest first.',
    options: [],
  },
  async (_input, { target, client, signal }) => {
    const versions = await listVersions(await client(), target.functionName, signal);
    return { data: { versions }, text: formatVersions(versions), exitCode: EXIT.ok };
  },
);

export const versionDelete = defineCommand(
  {
    path: ['version', 'delete'],
    alias: 'remove',
    summary: 'Delete a version',
    description:
      'Deletes a version (FC refuses while an alias points at it).\n\nExample:\n  version delete --version-id 1',
    options: ['versionId', 'assumeYes'],
    required: { versionId: 'the version to delete (or latest)' },
  },
  async (input, { target, client, signal }) => {
    const fc = await client();
    const versionId = await resolveVersionId(fc, target.functionName, input.versionId);
    await fc.deleteFunctionVersion(target.functionName, versionId, { signal });
    return { data: { versionId, deleted: true }, text: `deleted version ${versionId}\n`, exitCode: EXIT.ok };
  },
);
