import { describe, expect, it } from 'vitest';
import { type FcClient, FcError, type RetryOptions } from '../src/index.js';
import { drop, type Handler, sendJson, type TestServer, useTestServers } from './support/server.js';

const FAST: RetryOptions = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

const servers = useTestServers({ retry: FAST });
let server: TestServer | undefined;

async function setUp(handler: Handler = (_r, response) => sendJson(response, 200, {})): Promise<FcClient> {
  const started = await servers.start(handler);
  server = started.server;
  return started.client;
}

interface Case {
  call: (client: FcClient) => Promise<unknown>;
  field: string;
  says: string[];
}

const cases: Case[] = [
  { call: (c) => c.deleteFunctionVersion('f', '0'), field: 'versionId', says: ['"0"', 'version number'] },
  { call: (c) => c.deleteFunctionVersion('f', 'LATEST'), field: 'versionId', says: ['"LATEST"'] },
  { call: (c) => c.publishFunctionVersion('f', { description: 'd'.repeat(257) }), field: 'description', says: ['256'] },
  { call: (c) => c.listFunctionVersions('f', { limit: 101 }), field: 'limit', says: ['1 to 100'] },
  {
    call: (c) => c.listFunctionVersions('f', { direction: 'UP' as 'FORWARD' }),
    field: 'direction',
    says: ['FORWARD, BACKWARD'],
  },
  { call: (c) => c.createAlias('f', { aliasName: '1prod', versionId: '1' }), field: 'aliasName', says: ['"1prod"'] },
  { call: (c) => c.createAlias('f', { aliasName: 'LATEST', versionId: '1' }), field: 'aliasName', says: ['LATEST'] },
  { call: (c) => c.createAlias('f', { aliasName: 'prod', versionId: '' }), field: 'versionId', says: ['""'] },
  {
    call: (c) => c.createAlias('f', { aliasName: 'prod', versionId: '1', additionalVersionWeight: { '2': 1.5 } }),
    field: 'additionalVersionWeight["2"]',
    says: ['1.5', 'from 0 to 1'],
  },
  {
    call: (c) => c.updateAlias('f', 'prod', { versionId: '1', additionalVersionWeight: { '1': 0.5 } }),
    field: 'additionalVersionWeight',
    says: ["alias's own versionId"],
  },
  {
    call: (c) => c.updateAlias('f', 'prod', { additionalVersionWeight: { '2': 0.6, '3': 0.6 } }),
    field: 'additionalVersionWeight',
    says: ['at most 1'],
  },
  {
    call: (c) => c.updateAlias('f', 'prod', { additionalVersionWeight: { v2: 0.1 } }),
    field: 'additionalVersionWeight key',
    says: ['"v2"'],
  },
  { call: (c) => c.getAlias('f', 'a b'), field: 'aliasName', says: ['"a b"'] },
  { call: (c) => c.getAsyncTask('f', '9task'), field: 'taskId', says: ['"9task"', 'starting with a letter or "_"'] },
  { call: (c) => c.stopAsyncTask('f', 't'.repeat(129)), field: 'taskId', says: ['1-128'] },
  { call: (c) => c.getAsyncTask('f', 'task', { qualifier: 'a b' }), field: 'qualifier', says: ['"a b"'] },
  {
    call: (c) => c.listAsyncTasks('f', { status: 'Done' }),
    field: 'status',
    says: ['Enqueued', 'Stopped', 'Retrying'],
  },
  {
    call: (c) => c.listAsyncTasks('f', { sortOrderByTime: 'up' as 'asc' }),
    field: 'sortOrderByTime',
    says: ['asc, desc'],
  },
  { call: (c) => c.listAsyncTasks('f', { startedTimeBegin: -1 }), field: 'startedTimeBegin', says: ['-1'] },
  {
    call: (c) => c.putAsyncInvokeConfig('f', { maxAsyncRetryAttempts: 9 }),
    field: 'maxAsyncRetryAttempts',
    says: ['0 to 8'],
  },
  {
    call: (c) => c.putAsyncInvokeConfig('f', { maxAsyncEventAgeInSeconds: 0 }),
    field: 'maxAsyncEventAgeInSeconds',
    says: ['1 to 604800'],
  },
  {
    call: (c) => c.putAsyncInvokeConfig('f', { destinationConfig: { onSuccess: { destination: 'my-fn' } } }),
    field: 'destinationConfig.onSuccess.destination',
    says: ['"my-fn"', 'acs:'],
  },
  { call: (c) => c.listAsyncInvokeConfigs({ functionName: 'a/b' }), field: 'functionName', says: ['"a/b"'] },
  {
    call: (c) => c.createSession('f', { juiceFsConfig: { mountPoints: [{ volumeName: 'v', mountDir: 'mnt' }] } }),
    field: 'juiceFsConfig.mountPoints[0].mountDir',
    says: ['"mnt"', 'absolute path'],
  },
  {
    call: (c) => c.updateSession('f', 's', { juiceFsConfig: { mountPoints: [{ args: '--x' as unknown as [] }] } }),
    field: 'juiceFsConfig.mountPoints[0].args',
    says: ['list of strings'],
  },
  {
    call: (c) => c.createSession('f', { juiceFsConfig: { envs: { A: 1 as unknown as string } } }),
    field: 'juiceFsConfig.envs.A',
    says: ['string'],
  },
  {
    call: (c) => c.createSession('f', { juiceFsConfig: { mountPoints: [{ token: `jfsSecret${'x'.repeat(1100)}` }] } }),
    field: 'juiceFsConfig.mountPoints[0].token',
    says: ['(hidden)'],
  },
];

describe('validation of versions, aliases, async tasks and async invoke config', () => {
  for (const c of cases) {
    it(`${c.field}: ${c.says[0]}`, async () => {
      // Prepare
      const fc = await setUp();

      // Act
      const error = await c.call(fc).catch((e: unknown) => e);

      // Assess: refused before any request, naming the field and the rule
      expect(error).toBeInstanceOf(FcError);
      expect(error).toMatchObject({ code: 'InvalidArgument', field: c.field });
      for (const part of c.says) expect((error as FcError).message).toContain(part);
      expect((error as FcError).message).not.toContain('jfsSecret');
      expect(server?.requests).toHaveLength(0);
    });
  }

  it('accepts the edges of every range', async () => {
    // Prepare
    const fc = await setUp();

    // Act
    const results = await Promise.allSettled([
      fc.createAlias('f', { aliasName: `_${'a'.repeat(127)}`, versionId: '9999999999' }),
      fc.updateAlias('f', 'prod', { versionId: '1', additionalVersionWeight: { '2': 0.5, '3': 0.5 } }),
      fc.updateAlias('f', 'prod', { additionalVersionWeight: {} }),
      fc.putAsyncInvokeConfig('f', { maxAsyncRetryAttempts: 0, maxAsyncEventAgeInSeconds: 604_800 }),
      fc.listAsyncTasks('f', { limit: 100, startedTimeBegin: 0, prefix: '' }),
      fc.publishFunctionVersion('f', { description: 'd'.repeat(256) }),
      fc.createSession('f', {
        juiceFsConfig: {
          envs: { JFS_CACHE: '1' },
          mountPoints: [{ volumeName: 'v', token: 't', remoteDir: '/', mountDir: '/mnt/jfs', args: ['--a'] }],
        },
        polarFsConfig: { mountPoints: [{ instanceId: 'p', mountDir: '/mnt/p', readOnly: true }] },
      }),
    ]);

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(7).fill('fulfilled'));
  });
});

/** Seven items in pages of `limit` (default 3). */
function paged(key: string, make: (n: number) => Record<string, unknown>): Handler {
  const all = Array.from({ length: 7 }, (_, i) => make(i + 1));
  return (request, response) => {
    const start = Number((request.query['nextToken'] ?? 't0').slice(1));
    const end = Math.min(start + Number(request.query['limit'] ?? 3), all.length);
    sendJson(response, 200, { [key]: all.slice(start, end), ...(end < all.length ? { nextToken: `t${end}` } : {}) });
  };
}

describe('iterators walk every page with the same filters', () => {
  const walks: Array<
    [string, string, (n: number) => Record<string, unknown>, (c: FcClient) => AsyncIterable<unknown>]
  > = [
    [
      'versions',
      'versions',
      (n) => ({ versionId: String(n) }),
      (c) => c.iterateFunctionVersions('f', { direction: 'FORWARD' }),
    ],
    ['aliases', 'aliases', (n) => ({ aliasName: `a${n}` }), (c) => c.iterateAliases('f', { prefix: 'a' })],
    ['async tasks', 'tasks', (n) => ({ taskId: `t${n}` }), (c) => c.iterateAsyncTasks('f', { status: 'Running' })],
    [
      'async invoke configs',
      'configs',
      (n) => ({ functionArn: `arn${n}` }),
      (c) => c.iterateAsyncInvokeConfigs({ functionName: 'f' }),
    ],
  ];
  for (const [name, key, make, walk] of walks) {
    it(name, async () => {
      // Prepare
      const fc = await setUp(paged(key, make));

      // Act
      const items: unknown[] = [];
      for await (const item of walk(fc)) items.push(item);

      // Assess
      expect(items).toEqual(Array.from({ length: 7 }, (_, i) => make(i + 1)));
      expect(server?.requests.map((r) => r.query['nextToken'])).toEqual([undefined, 't3', 't6']);
      const filters = server?.requests.map(({ query: { nextToken: _, ...rest } }) => rest);
      expect(new Set(filters?.map((f) => JSON.stringify(f))).size).toBe(1);
    });
  }
});

describe('retries', () => {
  it('PublishFunctionVersion is sent once even when its answer is lost (a repeat would publish another)', async () => {
    // Prepare
    const fc = await setUp((_r, _response, raw) => drop(raw));

    // Act
    const error = await fc.publishFunctionVersion('f').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FcError);
    expect(server?.requests).toHaveLength(1);
  });

  it('CreateAlias whose answer was lost meets 409 on retry and reads the alias back', async () => {
    // Prepare
    let created = false;
    const fc = await setUp((request, response, raw) => {
      if (request.method === 'POST' && !created) {
        created = true;
        drop(raw);
      } else if (request.method === 'POST') {
        sendJson(response, 409, { Code: 'AliasAlreadyExists', Message: 'exists' });
      } else {
        sendJson(response, 200, { aliasName: 'prod', versionId: '1' });
      }
    });

    // Act
    const alias = await fc.createAlias('f', { aliasName: 'prod', versionId: '1' });

    // Assess
    expect(alias).toEqual({ aliasName: 'prod', versionId: '1' });
    expect(server?.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /2023-03-30/functions/f/aliases',
      'POST /2023-03-30/functions/f/aliases',
      'GET /2023-03-30/functions/f/aliases/prod',
    ]);
  });

  it('StopAsyncTask whose answer was lost counts as done when the task shows Stopped', async () => {
    // Prepare
    let stops = 0;
    const fc = await setUp((request, response, raw) => {
      if (request.path.endsWith('/stop') && ++stops === 1) drop(raw);
      else if (request.path.endsWith('/stop'))
        sendJson(response, 400, { Code: 'InvalidArgument', Message: 'task is not running' });
      else sendJson(response, 200, { taskId: 'job_1', status: 'Stopped' });
    });

    // Act
    await fc.stopAsyncTask('f', 'job_1');

    // Assess
    expect(server?.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'GET']);
  });

  it('StopAsyncTask refused on its first attempt is a real error', async () => {
    // Prepare
    const fc = await setUp((_r, response) =>
      sendJson(response, 400, { Code: 'InvalidArgument', Message: 'task has ended' }),
    );

    // Act
    const error = await fc.stopAsyncTask('f', 'job_1').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(server?.requests).toHaveLength(1);
  });

  it('deletes that meet 404 on a retry count as success', async () => {
    // Prepare
    let seen = 0;
    const fc = await setUp((_r, response, raw) => {
      if (++seen % 2 === 1) drop(raw);
      else sendJson(response, 404, { Code: 'NotFound', Message: 'gone' });
    });

    // Act
    await fc.deleteFunctionVersion('f', '1');
    await fc.deleteAlias('f', 'prod');
    await fc.deleteAsyncInvokeConfig('f');

    // Assess
    expect(server?.requests).toHaveLength(6);
  });
});
