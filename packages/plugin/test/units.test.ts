import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { parseArgs } from '../src/commands/args.js';
import { commandFlags, flagSource } from '../src/commands/define.js';
import { COMMANDS, findCommand } from '../src/commands/index.js';
import { ManifestStore } from '../src/core/manifest.js';
import { checkTemplate, fillTemplate } from '../src/core/template.js';
import { FcSessionsComponent } from '../src/devs/component.js';
import { devsCommands } from '../src/devs/help.js';
import { fcSessionsPrefetch } from '../src/devs/plugin.js';
import type { DevsInputs } from '../src/devs/types.js';
import { fieldsOf, resolveSettings } from '../src/settings/resolve.js';
import { KEEPER_ID_PREFIX } from '../src/settings/settings.js';
import { tempDirs } from './helpers/tmp.js';

const tmp = tempDirs();
afterAll(() => tmp.cleanup());

describe('parseArgs and the settings it feeds', () => {
  const invoke = commandFlags(findCommand(['invoke'])!.definition, 'cli');
  const parse = (argv: string[]) => parseArgs(argv, invoke, { command: 'fcs invoke', positionals: 1 });
  const create = commandFlags(findCommand(['session', 'create'])!.definition, 'cli');
  const read = (argv: string[]) => {
    const { values } = parseArgs(argv, create, { command: 'x' });
    return resolveSettings(
      ['sessionTTLInSeconds', 'disableSessionIdReuse', 'nasConfig', 'callTimeoutSeconds'],
      [flagSource(values, create)],
    );
  };

  it('reads long, short, = and repeated flags, --no- switches and one positional, as text', () => {
    expect(parse(['fn', '-e', '{"a":1}', '--header', 'a: 1', '-H', 'b=2', '--no-session', '--timeout=5'])).toEqual({
      positionals: ['fn'],
      values: { event: '{"a":1}', header: ['a: 1', 'b=2'], useSession: false, callTimeoutSeconds: '5' },
    });
    expect(parse(['-f', '-']).values).toEqual({ eventFile: '-' });
  });

  it('names the flag in every error', () => {
    expect(() => parse(['--bogus'])).toThrow('--bogus is not an option of fcs invoke (see fcs invoke --help)');
    expect(() => parse(['-e'])).toThrow('--event needs a value: -e, --event <event>');
    expect(() => parse(['a', 'b'])).toThrow(/arguments are not expected by fcs invoke/);
    expect(() => read(['--timeout', 'soon'])).toThrow('--timeout must be an integer from 1 to 86400; got "soon"');
    expect(() => read(['--nas-config', '[1]'])).toThrow('--nas-config must be a JSON object');
    expect(() => read(['--nas-config', '{"mountPoints":[{"mountDir":"rel"}]}'])).toThrow(
      '--nas-config.mountPoints[0].mountDir must be an absolute path; got "rel"',
    );
    expect(() => read(['--nas-config', '{"userId":"x"}'])).toThrow(
      '--nas-config.userId must be an integer from -1 to 65535; got "x"',
    );
    expect(read(['--st', '60', '--dsr'])).toMatchObject({ sessionTTLInSeconds: 60, disableSessionIdReuse: true });
  });

  it('takes dashed values and numbers, ends flags at --, and refuses a known flag as a value', () => {
    expect(parse(['-ehi', '--event-file=-', '--header', '-x: 1']).values).toEqual({
      event: 'hi',
      eventFile: '-',
      header: ['-x: 1'],
    });
    expect(parse(['--timeout', '-5']).values).toEqual({ callTimeoutSeconds: '-5' });
    expect(parse(['-5']).positionals).toEqual(['-5']);
    expect(parse(['--', '--json']).positionals).toEqual(['--json']);
    expect(parse(['--json=false']).values).toEqual({ json: 'false' });
    expect(() => parse(['--event', '--json'])).toThrow('--event needs a value: -e, --event <event>');
    expect(() => parse(['-e', '-H'])).toThrow('--event needs a value');
    expect(() => parse(['--no-session=1'])).toThrow('--no-session takes no value');
    expect(() => parse(['--no-event'])).toThrow('--no-event is not an option of fcs invoke');
    expect(() => parse(['-x'])).toThrow('-x is not an option of fcs invoke');
  });

  it('skips the host flags it is told to ignore', () => {
    const ignore = [{ name: 'output-format', key: '', short: 'o', takes: 'value' as const }];
    expect(parseArgs(['-o', 'json', '-e', 'x'], invoke, { command: 's invoke', ignore }).values).toEqual({
      event: 'x',
    });
  });

  it('finds fc3 aliases and keeps CLI-only flags out of the component', () => {
    expect(findCommand(['session', 'remove'])?.definition.path).toEqual(['session', 'delete']);
    expect(
      commandFlags(findCommand(['invoke'])!.definition, 'devs').some((f) => f.name === 'access' || f.name === 'json'),
    ).toBe(false);
  });
});

describe('resolveSettings: the one precedence (flag, then the host, then environment, then default)', () => {
  const flags = (values: object) => ({ values, name: (key: string) => `--${key}` });
  const props = (values: object) => ({ values, name: (key: string) => `props.${key}` });

  it('reads the first source that gives a key, then its environment variables in order, then its default', () => {
    const env = { ALIBABA_CLOUD_REGION_ID: 'cn-beijing', FC_REGION: 'cn-shanghai', FCS_ENDPOINT: 'http://127.0.0.1:9' };
    const read = (...sources: { values: object; name: (key: string) => string }[]) =>
      resolveSettings(['region', 'endpoint', 'qualifier'], sources, { env });
    expect(read(flags({ region: 'cn-hangzhou' }), props({ region: 'cn-shenzhen' }))).toEqual({
      region: 'cn-hangzhou',
      endpoint: 'http://127.0.0.1:9',
      qualifier: 'LATEST',
    });
    expect(read(flags({}), props({ region: 'cn-shenzhen' })).region).toBe('cn-shenzhen');
    expect(read(flags({})).region).toBe('cn-beijing');
    expect(resolveSettings(['region'], [], { env: { FC_REGION: 'cn-shanghai' } }).region).toBe('cn-shanghai');
    expect(resolveSettings(['region'], [], { env: {} }).region).toBeUndefined();
    // An environment variable is checked as the setting, and named in the error
    expect(() => resolveSettings(['region'], [], { env: { FC_REGION: 'Mars 1' } })).toThrow('$FC_REGION must be');
    expect(fieldsOf([], { FC_REGION: 'cn-shanghai' })('region')).toBe('$FC_REGION');
  });

  it('does not read the account id from the environment when an alias is given (its own goes with its keys)', () => {
    const env = { FC_ACCOUNT_ID: '123', AccountID: '456' };
    expect(resolveSettings(['accountId'], [], { env }).accountId).toBe('456');
    expect(resolveSettings(['accountId', 'access'], [flags({ access: 'other' })], { env }).accountId).toBeUndefined();
    expect(fieldsOf([flags({ access: 'other' })], env)('accountId')).toBeUndefined();
  });

  it("applies a setting's keeper default only when reading for the keeper on FC", () => {
    expect(resolveSettings(['idPrefix'], [], { env: {} }).idPrefix).toBe('');
    expect(resolveSettings(['idPrefix'], [], { env: {}, keeper: true }).idPrefix).toBe(KEEPER_ID_PREFIX);
    expect(resolveSettings(['idPrefix'], [flags({ idPrefix: 'mine-' })], { env: {}, keeper: true }).idPrefix).toBe(
      'mine-',
    );
  });

  it('lets the command definition say how the s component prints it: invoke as text, the others as data', () => {
    expect(findCommand(['invoke'])?.definition.output).toBe('text');
    expect(COMMANDS.filter((c) => c.definition.output === 'text').map((c) => c.definition.path.join(' '))).toEqual([
      'invoke',
    ]);
  });
});

describe('the Serverless Devs help map', () => {
  it('has a string description for every command and subcommand (s crashes otherwise)', () => {
    const commands = devsCommands();
    const groups = ['alias', 'session', 'task', 'version'];
    expect(Object.keys(commands).sort()).toEqual(['deploy', 'invoke', 'keep', 'prefetch', 'prune', ...groups].sort());
    const all = [
      ...Object.values(commands),
      ...groups.flatMap((group) => Object.values(commands[group]?.subCommands ?? {})),
    ];
    expect(all.every((c) => typeof c.help.description === 'string' && typeof c.help.summary === 'string')).toBe(true);
    for (const group of groups) {
      expect(Object.keys(commands[group]?.subCommands ?? {})).toEqual(
        COMMANDS.filter((c) => c.definition.path[0] === group).map((c) => c.definition.path[1]),
      );
    }
  });
});

describe('ManifestStore', () => {
  it('writes atomically, serialises changes, removes the file when empty, and refuses a file that is not a manifest', async () => {
    const dir = await tmp.make();
    const store = new ManifestStore(dir, { region: 'cn-hangzhou', functionName: 'fn', qualifier: 'prod' });
    expect(store.path).toBe(`${dir}/cn-hangzhou.fn.prod.json`);
    await store.load();
    const at = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        store.upsert({ sessionId: `s${index}`, index, state: 'creating', recordedAt: at }),
      ),
    );
    const saved = JSON.parse(await readFile(store.path, 'utf8'));
    expect(saved.sessions.map((s: { index: number }) => s.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.remove(`s${i}`)));
    expect(await readdir(dir)).toEqual([]);

    await writeFile(store.path, '{"not":"a manifest"}');
    await expect(store.load()).rejects.toMatchObject({
      code: 'ManifestCorrupt',
      message: expect.stringContaining(store.path),
    });
  });

  it('writes the file as JSON.stringify(manifest, null, 2) prints it, and applies keyed and list changes in order', async () => {
    const dir = await tmp.make();
    const store = new ManifestStore(dir, { region: 'cn-hangzhou', functionName: 'fn', qualifier: 'LATEST' });
    await store.load();
    const at = '2026-12-01T00:00:00.000Z';
    const pending = [
      store.upsert({ sessionId: 'b', index: 1, state: 'creating', recordedAt: at }),
      store.upsert({ sessionId: 'a', index: 0, state: 'creating', recordedAt: at }),
      store.update((sessions) => sessions.map((s) => ({ ...s, containerId: `c-${s.sessionId}` })), {
        affinity: 'HEADER_FIELD',
        headerName: 'x-session-id',
      }),
      store.upsert({ sessionId: 'b', index: 1, state: 'active', recordedAt: at, sessionTTLInSeconds: 60 }),
      store.upsert({ sessionId: 'c', index: 2, state: 'creating', recordedAt: at }),
      store.remove('c'),
    ];
    await Promise.all(pending);
    const text = await readFile(store.path, 'utf8');
    const parsed = JSON.parse(text);
    expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed.route).toEqual({ affinity: 'HEADER_FIELD', headerName: 'x-session-id' });
    expect(parsed.sessions).toEqual([
      { sessionId: 'a', index: 0, state: 'creating', recordedAt: at, containerId: 'c-a' },
      { sessionId: 'b', index: 1, state: 'active', recordedAt: at, sessionTTLInSeconds: 60 },
    ]);
    await store.upsert({ sessionId: 'a', index: 0, state: 'active', recordedAt: at, containerId: 'c-a' });
    const again = await readFile(store.path, 'utf8');
    expect(again).toBe(`${JSON.stringify(JSON.parse(again), null, 2)}\n`);
    expect(JSON.parse(again).sessions[0].state).toBe('active');
    await store.close();
  });

  it('held (under its lock, as a keeper reconcile): reads the file once, then answers with what it read or wrote', async () => {
    const dir = await tmp.make();
    const key = { region: 'cn-hangzhou', functionName: 'fn', qualifier: 'LATEST' };
    const held = new ManifestStore(dir, key, { held: true });
    expect((await held.load()).sessions).toEqual([]);
    await held.upsert({ sessionId: 's0', index: 0, state: 'active', recordedAt: new Date().toISOString() });
    // A write from outside the lock is not read again (none can happen while the lock is held)...
    await writeFile(held.path, '{"not":"a manifest"}');
    expect((await held.load()).sessions.map((s) => s.sessionId)).toEqual(['s0']);
    // ...while a store that is not held reads the file every time.
    await expect(new ManifestStore(dir, key).load()).rejects.toMatchObject({ code: 'ManifestCorrupt' });
    await held.close();
  });
});

describe('mount templates', () => {
  it('fills {index}, {sessionId}, {functionName}, {qualifier} in every string and refuses others', () => {
    const config = {
      mountPoints: [
        { bucketPath: '/{functionName}/{qualifier}/{index}', mountDir: '/mnt/{sessionId}', readOnly: true },
      ],
    };
    expect(fillTemplate(config, { index: 2, sessionId: 's', functionName: 'f', qualifier: 'q' })).toEqual({
      mountPoints: [{ bucketPath: '/f/q/2', mountDir: '/mnt/s', readOnly: true }],
    });
    expect(() => checkTemplate('nasConfig', { mountPoints: [{ mountDir: '/{nope}' }] })).toThrow(
      'nasConfig.mountPoints[0].mountDir uses {nope}',
    );
  });
});

describe("the account id with a Serverless Devs alias: the alias's own, not the environment's", () => {
  const ENV_ID = '1111111111111111';
  const ALIAS_ID = '2222222222222222';
  const region = 'cn-hangzhou';
  const NAMES = ['ALIBABA_CLOUD_ACCOUNT_ID', 'AccountID', 'FC_ACCOUNT_ID', 'FCS_ENDPOINT', 'FC_REGION'] as const;
  const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  /** As CI might: an account id (or a bad one) in the environment, no endpoint, so the client derives FC's from the id. */
  const exportEnv = (values: Partial<Record<(typeof NAMES)[number], string>>) => {
    for (const name of NAMES) delete process.env[name];
    Object.assign(process.env, values);
  };
  /** The hosts the client connects to while `run` runs; nothing is sent (FC's host names the account id). */
  async function hostsOf(run: () => Promise<unknown>): Promise<{ hosts: string[]; error: unknown }> {
    const hosts: string[] = [];
    vi.spyOn(https, 'request').mockImplementation(((options: { hostname?: string }) => {
      hosts.push(String(options.hostname));
      throw new Error('not sent (test)');
    }) as typeof https.request);
    let error: unknown;
    try {
      await run();
    } catch (thrown) {
      error = thrown;
    }
    return { hosts: [...new Set(hosts)], error };
  }
  const inputs = async (more: Partial<DevsInputs>): Promise<DevsInputs> => ({
    cwd: await tmp.make(),
    props: { functionName: 'hello', region },
    resource: { name: 'hello', component: 'fc-sessions', access: 'prod' },
    getCredential: async () => ({ AccountID: ALIAS_ID, AccessKeyID: 'prodKeyId', AccessKeySecret: 'prodKeySecret' }),
    ...more,
  });
  const fcHost = (id: string) => `${id}.${region}.fc.aliyuncs.com`;

  it('the s component uses the alias account id, with the keys, over $ALIBABA_CLOUD_ACCOUNT_ID', async () => {
    exportEnv({ ALIBABA_CLOUD_ACCOUNT_ID: ENV_ID });
    const component = new FcSessionsComponent();
    const listed = await hostsOf(async () => component.session(await inputs({ args: ['list', '-a', 'prod'] })));
    expect(listed.hosts).toEqual([fcHost(ALIAS_ID)]);
  });

  it('the s component ignores a malformed $AccountID when the alias gives the id', async () => {
    exportEnv({ AccountID: 'abc' });
    const component = new FcSessionsComponent();
    const listed = await hostsOf(async () => component.session(await inputs({ args: ['list'] })));
    expect(String(listed.error)).not.toContain('AccountID');
    expect(listed.hosts).toEqual([fcHost(ALIAS_ID)]);
  });

  it('the s plugin (success-deploy) uses the alias account id too', async () => {
    exportEnv({ ALIBABA_CLOUD_ACCOUNT_ID: ENV_ID, FC_ACCOUNT_ID: 'abc' });
    const deployed = await inputs({ command: 'deploy', args: [], output: { functionName: 'hello', region } });
    const prefetched = await hostsOf(() => fcSessionsPrefetch(deployed, { count: 1 }));
    expect(String(prefetched.error)).not.toContain('ACCOUNT_ID');
    expect(prefetched.hosts).toEqual([fcHost(ALIAS_ID)]);
  });

  it('fcs --access reads the id from the alias, not the environment; --account-id still wins', async () => {
    const home = await tmp.make();
    await mkdir(join(home, '.s'));
    await writeFile(
      join(home, '.s', 'access.yaml'),
      `prod:\n  AccountID: '${ALIAS_ID}'\n  AccessKeyID: prodKeyId\n  AccessKeySecret: prodKeySecret\n`,
    );
    const env = { ALIBABA_CLOUD_ACCOUNT_ID: ENV_ID, AccountID: 'abc', serverless_devs_config_home: home };
    const sink = { write: () => true } as unknown as NodeJS.WritableStream;
    const fcs = (argv: string[]) => hostsOf(() => main(argv, { env, cwd: home, stdout: sink, stderr: sink }));
    expect((await fcs(['session', 'list', 'hello', '--region', region, '--access', 'prod'])).hosts).toEqual([
      fcHost(ALIAS_ID),
    ]);
    const explicit = await fcs([
      'session',
      'list',
      'hello',
      '--region',
      region,
      '--access',
      'prod',
      '--account-id',
      '3333',
    ]);
    expect(explicit.hosts).toEqual([fcHost('3333')]);
  });
});
