import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeSessionIds, startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { plain, type RunResult, run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

// The real Serverless Devs CLI (a devDependency), offline: NODE_ENV=test stops its update checks
// and telemetry, serverless_devs_config_home keeps its ~/.s in a temp dir.
const S = join(createRequire(import.meta.url).resolve('@serverless-devs/s/package.json'), '..', 'bin', 's');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/devs-project', import.meta.url));

interface Session {
  sessionId: string;
  containerId: string;
}

describe('Serverless Devs: the real s CLI with our component and plugin', { timeout: 120_000 }, () => {
  let emu: TestEmulator;
  let project: string;
  let home: string;
  const tmp = tempDirs();
  /** Told of each request the emulator gets (its action), while a test sets it. */
  let onRequest: ((action: string) => void) | undefined;
  const env = (extra: Record<string, string | undefined> = {}) => ({
    NODE_ENV: 'test',
    serverless_devs_config_home: home,
    FCS_PLUGIN_ROOT: ROOT.replace(/\/$/, ''),
    ...emu.env,
    ...extra,
  });
  const s = (args: string[], extra?: Record<string, string | undefined>, cwd = project): Promise<RunResult> =>
    run(process.execPath, [S, ...args], { cwd, env: env(extra), timeoutMs: 60_000 });
  const sJson = async (args: string[], extra?: Record<string, string | undefined>, cwd?: string) => {
    const result = await s([...args, '--silent', '-o', 'json'], extra, cwd);
    try {
      return { ...result, data: JSON.parse(result.stdout) };
    } catch {
      throw new Error(
        `s ${args.join(' ')} did not print JSON (exit ${result.code}):\n${result.stdout}${result.stderr}`,
      );
    }
  };

  beforeAll(async () => {
    emu = await startTestEmulator({ onRequest: (action) => onRequest?.(action) });
    project = await tmp.make('fcs-devs-');
    home = await tmp.make('fcs-devs-home-');
    await cp(FIXTURE, project, { recursive: true });
  });
  afterAll(async () => {
    await emu?.stop();
    await tmp.cleanup();
  });

  let sessions: Session[] = [];

  it('s deploy deploys the function and the success-deploy plugin creates N sessions, printed with the output', async () => {
    const deployed = await s(['deploy']);
    const out = plain(deployed.stdout);
    expect(deployed.code, out).toBe(0);
    expect(out).toContain('created function devs-hello');
    expect(out).toContain(`created http trigger web (${emu.emulator.endpoint}/http/devs-hello)`);
    expect(out).toMatch(/\[2\/2\] created devs-[0-9a-f]{32}/);
    expect(out).toContain('prefetch devs-hello@LATEST: 2/2 active (2 created, 0 reused, 0 failed)');
    expect(out).toMatch(/sessions:\s+-\s+sessionId: +devs-[0-9a-f]{32}/);

    // The emulator's manifests sit in a sub-folder named for its host and port (FC's own stay in .fcs/sessions).
    const folder = `127.0.0.1_${new URL(emu.emulator.endpoint).port}`;
    const manifest = JSON.parse(
      await readFile(join(project, '.fcs/sessions', folder, 'cn-hangzhou.devs-hello.LATEST.json'), 'utf8'),
    );
    sessions = manifest.sessions;
    expect(sessions).toHaveLength(2);
    expect(await activeSessionIds(emu.client, 'devs-hello')).toEqual(sessions.map((x) => x.sessionId).sort());
    const fn = await emu.client.getFunction('devs-hello');
    expect(fn.environmentVariables).toMatchObject({ FCS_SESSION_HEADER: 'x-session-id' });
    expect((await emu.client.getTrigger('devs-hello', 'web')).triggerConfig).toEqual({
      authType: 'anonymous',
      methods: ['GET', 'POST'],
    });
    // Served by the trigger's methods only (a GET would start a session of its own: HEADER_FIELD affinity).
    expect((await fetch(`${emu.emulator.endpoint}/http/devs-hello/`, { method: 'PUT' })).status).toBe(405);
  });

  it('s invoke lands on the instance of a prefetched session (or of the one named)', async () => {
    const [first, second] = sessions as [Session, Session];
    const invoked = await s(['invoke', '-e', 'hi']);
    const out = plain(invoked.stdout);
    expect(invoked.code, out).toBe(0);
    expect(out).toContain(`Invoke instanceId: ${first.containerId}`);
    expect(out).toContain(`SessionId: ${first.sessionId} (prefetched)`);
    expect(out).toContain('========= FC invoke Logs begin =========');
    expect(out).toMatch(/Invoke Result:\n\{"instanceId":"[^"]+","count":\d+,"event":"hi","header":"x-session-id"\}/);

    const named = await sJson(['invoke', '-e', 'two', '--session-id', second.sessionId]);
    expect(named.data).toMatchObject({
      sessionId: second.sessionId,
      sessionSource: 'argument',
      instanceId: second.containerId,
    });
  });

  it('s session list shows them, and a second deploy reuses them', async () => {
    const listed = await sJson(['session', 'list']);
    expect(listed.code).toBe(0);
    const prefetched = (listed.data.sessions as { sessionId: string; prefetched: boolean }[]).filter(
      (x) => x.prefetched,
    );
    expect(prefetched.map((x) => x.sessionId).sort()).toEqual(sessions.map((x) => x.sessionId).sort());

    const again = await sJson(['deploy']);
    expect(again.code).toBe(0);
    expect(again.data).toMatchObject({
      action: 'unchanged',
      changed: [],
      triggers: [{ triggerName: 'web', triggerType: 'http', action: 'unchanged' }],
      prefetch: { created: 0, reused: 2, complete: true },
    });
    expect(again.data.sessions.map((x: Session) => x.sessionId)).toEqual(sessions.map((x) => x.sessionId));
  });

  const running = () =>
    new Set(
      emu.emulator
        .instances()
        .filter((i) => i.functionName === 'devs-hello')
        .map((i) => i.instanceId),
    );
  const answerOf = async (sessionId: string) => {
    const invoked = await sJson(['invoke', '-e', 'which', '--session-id', sessionId]);
    return { instanceId: invoked.data.instanceId as string, result: JSON.parse(invoked.data.result as string) };
  };

  it('a redeploy with nothing changed sends no UpdateFunction and keeps every prefetched session on its running instance', async () => {
    const before = (await emu.client.getFunction('devs-hello')).lastModifiedTime;
    const quiet = await s(['deploy']);
    expect(quiet.code).toBe(0);
    expect(plain(quiet.stdout)).toContain(
      'function devs-hello unchanged (same code checksum and configuration): UpdateFunction skipped',
    );
    expect(plain(quiet.stdout)).toContain(`http trigger web unchanged (${emu.emulator.endpoint}/http/devs-hello)`);
    expect(plain(quiet.stdout)).toContain('prefetch devs-hello@LATEST: 2/2 active (0 created, 2 reused, 0 failed)');
    expect((await emu.client.getFunction('devs-hello')).lastModifiedTime).toBe(before);
    const live = running();
    for (const session of sessions) {
      expect(live.has(session.containerId)).toBe(true);
      expect((await answerOf(session.sessionId)).instanceId).toBe(session.containerId);
    }
  });

  it('a redeploy with new code ends with N sessions on running instances of the new code', async () => {
    const source = join(project, 'code', 'index.js');
    const old = await readFile(source, 'utf8');
    await writeFile(
      source,
      old.replace(
        'header: process.env.FCS_SESSION_HEADER,',
        "header: process.env.FCS_SESSION_HEADER,\n    build: 'second',",
      ),
    );
    try {
      const redeployed = await sJson(['deploy']);
      expect(redeployed.code).toBe(0);
      expect(redeployed.data).toMatchObject({ action: 'updated', changed: ['code'], prefetch: { complete: true } });
      const fresh = redeployed.data.sessions as Session[];
      expect(fresh).toHaveLength(2);
      expect(redeployed.data.prefetch.created).toBe(2);
      const live = running();
      for (const session of fresh) {
        expect(live.has(session.containerId)).toBe(true);
        const answer = await answerOf(session.sessionId);
        expect(answer).toMatchObject({ instanceId: session.containerId, result: { build: 'second' } });
      }
      expect(await activeSessionIds(emu.client, 'devs-hello')).toEqual(fresh.map((x) => x.sessionId).sort());
      sessions = fresh;
    } finally {
      await writeFile(source, old);
    }
  });

  it('s session create/get/delete and s prune work through the component', async () => {
    const created = await sJson(['session', 'create', '--session-id', 'devs-manual', '--st', '120']);
    expect(created.data).toMatchObject({ sessionId: 'devs-manual', sessionTTLInSeconds: 120 });
    expect((await sJson(['session', 'get', '--session-id', 'devs-manual'])).data).toMatchObject({
      sessionStatus: 'Active',
    });
    expect((await s(['session', 'remove', '--session-id', 'devs-manual', '-y'])).code).toBe(0);

    const kept = await s(['keep', '-n', '3', '--once']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(plain(kept.stdout + kept.stderr)).toMatch(/keep #1: 3\/3 active \(1 created/);
    expect(await activeSessionIds(emu.client, 'devs-hello')).toHaveLength(3);

    const pruned = await sJson(['prune']);
    expect(pruned.data).toMatchObject({ complete: true });
    expect(await activeSessionIds(emu.client, 'devs-hello')).toEqual([]);
  });

  it('s version, s alias and s task work through the component, fc3 style', async () => {
    const published = await sJson(['version', 'publish', '--description', 'from s']);
    expect(published.data).toMatchObject({ versionId: '1', description: 'from s' });
    const alias = await sJson(['alias', 'create', '--alias-name', 'prod', '--version-id', 'latest']);
    expect(alias.data).toMatchObject({ aliasName: 'prod', versionId: '1' });
    expect((await sJson(['alias', 'list'])).data.aliases).toHaveLength(1);
    await emu.client.invoke('devs-hello', {
      invocationType: 'Async',
      asyncTaskId: 'devs_job',
      body: 'x',
      qualifier: 'prod',
    });
    const task = await sJson(['task', 'get', '--task-id', 'devs_job']);
    expect(task.data).toMatchObject({ taskId: 'devs_job', qualifier: 'prod' });
    expect((await s(['alias', 'remove', '--alias-name', 'prod', '-y'])).code).toBe(0);
    expect((await s(['version', 'remove', '--version-id', '1', '-y'])).code).toBe(0);
    const badSub = await s(['task', 'frobnicate']);
    expect(badSub.code).toBe(101);
    expect(plain(badSub.stdout)).toContain('task command must be one of get, list, stop');
  });

  it('failure policy: warn lets the deploy succeed with a warning, fail fails it (exit 101)', async () => {
    const warned = await s(['deploy', '-t', 'policy.yaml'], { FCS_ON_FAILURE: 'warn' });
    expect(warned.code, warned.stdout).toBe(0);
    expect(plain(warned.stdout)).toMatch(
      /\[WARN\]\[plain\] prefetch devs-plain@LATEST: 0\/1 active .* AffinityUnsupported/,
    );
    const failed = await s(['deploy', '-t', 'policy.yaml'], { FCS_ON_FAILURE: 'fail' });
    expect(failed.code).toBe(101);
    expect(plain(failed.stdout)).toContain('success-action failed to [deploy]');
    expect(plain(failed.stdout)).toContain('AffinityUnsupported: function devs-plain has sessionAffinity NONE');

    // With -o json, s swallows a thrown error (exit 0, no output): the plugin returns it as data instead.
    const asData = await sJson(['deploy', '-t', 'policy.yaml'], { FCS_ON_FAILURE: 'fail' });
    expect(asData).toMatchObject({
      code: 2,
      data: { error: { code: 'AffinityUnsupported', field: 'functionName', message: expect.stringContaining('NONE') } },
    });
    const badArgs = await sJson(['deploy', '-t', 'bad-args.yaml']);
    expect(badArgs).toMatchObject({ code: 2, data: { error: { code: 'InvalidArgument', field: 'args.count' } } });
  });

  it('-o json, a prefetch that fails partway: the output has the error and the sessions made before it', async () => {
    // CreateSession answers 503 from the second on (every attempt: FC's error body, nothing made).
    let creates = 0;
    onRequest = (action) => {
      if (action === 'CreateSession' && ++creates === 2)
        emu.emulator.faults.set({ rules: [{ action: 'CreateSession', unavailableRate: 1 }] });
    };
    let partial: Awaited<ReturnType<typeof sJson>>;
    try {
      partial = await sJson(['deploy', '-t', 'partial.yaml']);
    } finally {
      onRequest = undefined;
      emu.emulator.faults.clear();
    }
    expect(partial).toMatchObject({
      code: 5,
      data: {
        error: { code: 'PrefetchIncomplete', message: expect.stringContaining('reached 1 of 3 sessions') },
        prefetch: { desired: 3, created: 1, complete: false },
      },
    });
    const made = partial.data.sessions as Session[];
    expect(made).toHaveLength(1);
    expect(made[0]?.sessionId).toMatch(/^partial-/);
    expect(await activeSessionIds(emu.client, 'devs-partial')).toEqual([made[0]?.sessionId]);
    expect((await sJson(['prune', '-t', 'partial.yaml'])).data).toMatchObject({ complete: true });
    expect(await activeSessionIds(emu.client, 'devs-partial')).toEqual([]);
  });

  it('keeper settings in args: the action after deploy runs one keeper reconcile; bad ones fail the deploy before any session call', async () => {
    const kept = await sJson(['deploy', '-t', 'keep-args.yaml']);
    expect(kept.code, kept.stdout).toBe(0);
    expect(kept.data.keep).toMatchObject({ desired: 2, active: 2, created: 2, converged: true, qualifier: 'LATEST' });
    expect(kept.data.sessions).toHaveLength(2);
    expect(kept.data.sessions.every((x: Session) => x.sessionId.startsWith('keep-'))).toBe(true);
    const again = await s(['deploy', '-t', 'keep-args.yaml']);
    expect(again.code, again.stdout).toBe(0);
    expect(plain(again.stdout)).toMatch(/keep #1: 2\/2 active \(0 created, 0 renewed/);
    const live = await emu.client.listSessions('devs-keep', { sessionStatus: 'Active' });
    expect(live.sessions.map((x) => x.sessionIdleTimeoutInSeconds)).toEqual([120, 120]);
    const fromProps = await sJson(['keep', '-t', 'keep-args.yaml', '-n', '2', '--once', '--renew-before', '10']);
    expect(fromProps).toMatchObject({ code: 2, data: { error: { field: 'props.intervalSeconds' } } });
    expect(fromProps.data.error.message).toContain('props.intervalSeconds must be at most --renew-before (10)');
    expect((await sJson(['prune', '-t', 'keep-args.yaml'])).data.deleted).toHaveLength(2);

    const bad = await s(['deploy', '-t', 'bad-keep-args.yaml']);
    expect(bad.code).toBe(101);
    expect(plain(bad.stdout)).toContain(
      'InvalidArgument: args.graceSeconds must be at most args.renewBeforeSeconds (600): a renewed session ends at its TTL',
    );
    const asData = await sJson(['deploy', '-t', 'bad-keep-args.yaml']);
    expect(asData).toMatchObject({ code: 2, data: { error: { code: 'InvalidArgument', field: 'args.graceSeconds' } } });
    expect(await activeSessionIds(emu.client, 'devs-bad-keep')).toEqual([]);
    const badFlag = await sJson(['keep', '-n', '1', '--once', '--interval', '600']);
    expect(badFlag).toMatchObject({ code: 2, data: { error: { field: '--interval' } } });
    expect(badFlag.data.error.message).toContain('--interval must be at most renewBeforeSeconds (300, the default)');
  });

  it('bad arguments fail with the option named (exit 101), and with -o json as data with our exit code', async () => {
    const badArgs = await s(['deploy', '-t', 'bad-args.yaml']);
    expect(badArgs.code).toBe(101);
    expect(plain(badArgs.stdout)).toContain('InvalidArgument: args.count must be an integer from 0 to 1000; got -1');
    expect(plain(badArgs.stdout)).not.toContain('[1/');
    expect(await activeSessionIds(emu.client, 'devs-bad')).toEqual([]);
    const badTrigger = await s(['deploy', '-t', 'bad-trigger.yaml']);
    expect(badTrigger.code).toBe(101);
    expect(plain(badTrigger.stdout)).toContain(
      'props.triggers[0].triggerConfig.methods[1] must be one of GET, POST, PUT, DELETE, HEAD, PATCH, OPTIONS; got "FETCH"',
    );
    await expect(emu.client.getFunction('devs-bad-trigger')).rejects.toMatchObject({ code: 'FunctionNotFound' });

    const badFlag = await s(['invoke', '--bogus']);
    expect(badFlag.code).toBe(101);
    expect(plain(badFlag.stdout)).toContain('--bogus is not an option of s invoke');
    const badTtl = await s(['session', 'create', '--ttl', '0']);
    expect(plain(badTtl.stdout)).toContain('--session-ttl-in-seconds must be an integer from 1 to 21600; got "0"');
    const badSub = await s(['session', 'frobnicate']);
    expect(plain(badSub.stdout)).toContain('session command must be one of create, get, update, list, delete');

    const asData = await sJson(['session', 'create', '--ttl', '0']);
    expect(asData).toMatchObject({
      code: 2,
      data: { error: { code: 'InvalidArgument', field: '--session-ttl-in-seconds' } },
    });
    const functionError = await sJson(['invoke', '-e', 'throw', '--no-session']);
    expect(functionError).toMatchObject({ code: 1, data: { errorType: 'UnhandledInvocationError' } });
  });

  it('s cli mode: props arrive as a JSON string', async () => {
    const elsewhere = await tmp.make('fcs-devs-cli-');
    const props = JSON.stringify({ region: 'cn-hangzhou', functionName: 'devs-hello' });
    const result = await sJson(
      ['cli', join(ROOT, 'devs-component.cjs'), 'invoke', '-p', props, '-e', 'from-cli', '--no-session'],
      {},
      elsewhere,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.data.result)).toMatchObject({ event: 'from-cli' });
    const notObject = await sJson(['cli', join(ROOT, 'devs-component.cjs'), 'invoke', '-p', '[1,2]'], {}, elsewhere);
    expect(notObject).toMatchObject({ code: 2, data: { error: { field: 'props' } } });
    const noFunction = await sJson(
      ['cli', join(ROOT, 'devs-component.cjs'), 'invoke', '-p', '{"region":"cn-hangzhou"}'],
      {},
      elsewhere,
    );
    expect(noFunction.data.error.message).toContain('props.functionName or --function-name');
  });

  it('help: s -h, s invoke -h, s session create -h come from the component', async () => {
    const top = plain((await s(['-h'])).stdout);
    for (const command of ['deploy', 'invoke', 'session', 'prefetch', 'prune', 'keep'])
      expect(top).toMatch(new RegExp(`\\n\\s+${command}\\s+\\S`));
    const invoke = await s(['invoke', '-h']);
    expect(invoke.code).toBe(0);
    expect(plain(invoke.stdout)).toContain('--session-id <id>');
    const create = await s(['session', 'create', '-h']);
    expect(create.code).toBe(0);
    expect(plain(create.stdout)).toContain('--session-ttl-in-seconds, --st, --ttl <seconds>');
  });

  it('manifest folder: the plugin falls back to props.manifestDir, then FCS_MANIFEST_DIR; args.settleSeconds is checked', async () => {
    const folder = `127.0.0.1_${new URL(emu.emulator.endpoint).port}`;
    const envDir = await tmp.make('fcs-devs-env-');
    const badSettle = await s(['deploy', '-t', 'manifest-dirs.yaml'], {
      FCS_MANIFEST_DIR: envDir,
      FCS_SETTLE_SECONDS: '-1',
    });
    expect(badSettle.code).toBe(101);
    expect(plain(badSettle.stdout)).toContain(
      'InvalidArgument: args.settleSeconds must be an integer from 0 to 86400; got "-1"',
    );
    expect(await activeSessionIds(emu.client, 'devs-dirs')).toEqual([]);

    const fromProps = await sJson(['deploy', '-t', 'manifest-dirs.yaml'], { FCS_MANIFEST_DIR: envDir });
    expect(fromProps.data.prefetch).toMatchObject({
      created: 1,
      manifest: join(project, 'from-props', folder, 'cn-hangzhou.devs-dirs.LATEST.json'),
    });
    const listed = await sJson(['session', 'list', '-t', 'manifest-dirs.yaml'], { FCS_MANIFEST_DIR: envDir });
    expect(listed.data.sessions.filter((x: { prefetched: boolean }) => x.prefetched)).toHaveLength(1);
    expect((await sJson(['prune', '-t', 'manifest-dirs.yaml'])).data.deleted).toHaveLength(1);

    const fromEnv = await sJson(['deploy'], { FCS_MANIFEST_DIR: envDir });
    expect(fromEnv.data.prefetch).toMatchObject({
      created: 2,
      manifest: join(envDir, folder, 'cn-hangzhou.devs-hello.LATEST.json'),
    });
    const invoked = await sJson(['invoke', '-e', 'env'], { FCS_MANIFEST_DIR: envDir });
    expect(invoked.data).toMatchObject({ sessionSource: 'manifest', sessionId: fromEnv.data.sessions[0].sessionId });
    const pruned = await sJson(['prune'], { FCS_MANIFEST_DIR: envDir });
    expect(pruned.data.deleted.sort()).toEqual(fromEnv.data.sessions.map((x: Session) => x.sessionId).sort());
    const left = await activeSessionIds(emu.client, 'devs-hello');
    expect(left.filter((id) => pruned.data.deleted.includes(id))).toEqual([]);
  });

  it('credentials from an s alias (-a) when no keys are in the environment', async () => {
    await mkdir(join(home, '.s'), { recursive: true });
    await writeFile(
      join(home, '.s', 'access.yaml'),
      `emu:\n  AccountID: '${emu.emulator.accountId}'\n  AccessKeyID: ${emu.env['AccessKeyID']}\n  AccessKeySecret: ${emu.env['AccessKeySecret']}\n` +
        `wrong:\n  AccountID: '1'\n  AccessKeyID: ${emu.env['AccessKeyID']}\n  AccessKeySecret: notTheEmulatorSecretxxxxxxxxxxxxxxxx\n`,
    );
    const noKeys = { AccessKeyID: undefined, AccessKeySecret: undefined, AccountID: undefined };
    const result = await sJson(['session', 'list', '-a', 'emu'], noKeys);
    expect(result.code).toBe(0);
    expect(Array.isArray(result.data.sessions)).toBe(true);
    const wrong = await sJson(['session', 'list', '-a', 'wrong'], noKeys);
    expect(wrong).toMatchObject({ code: 3, data: { error: { code: 'SignatureNotMatch' } } });
  });
});
