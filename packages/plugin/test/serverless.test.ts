import { spawn } from 'node:child_process';
import { access, cp, mkdir, readdir, readFile, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestStore } from '../src/core/manifest.js';
import { activeSessionIds, deployHello, startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { type RunResult, run } from './helpers/run.js';
import { tempDirs } from './helpers/tmp.js';

const binOf = (pkg: string): string =>
  join(createRequire(import.meta.url).resolve(`${pkg}/package.json`), '..', 'bin', 'serverless.js');

/**
 * The Framework versions users run (both pinned devDependencies), offline with a provider stub.
 * serverless 3 sends telemetry (and gets notifications in its answer) unless told not to; osls
 * has neither. By default osls refuses a config its schema rejects, serverless 3 only warns.
 */
const FRAMEWORKS = [
  { name: 'osls 4.3.1', bin: binOf('osls'), env: {}, schemaRefuses: true },
  {
    name: 'serverless 3.40.0',
    bin: binOf('serverless'),
    env: { SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    schemaRefuses: false,
  },
];
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/serverless-project', import.meta.url));
const FUNCTION = 'fcs-sls-test-dev-hello';

describe.each(FRAMEWORKS)(
  'Serverless Framework ($name): the plugin with a no-cloud provider stub',
  { timeout: 120_000 },
  (framework) => {
    let emu: TestEmulator;
    let service: string;
    let home: string;
    const tmp = tempDirs();
    const sls = (args: string[], extra: Record<string, string> = {}): Promise<RunResult> =>
      run(process.execPath, [framework.bin, ...args], {
        cwd: service,
        env: { ...emu.env, ...framework.env, HOME: home, ...extra },
        timeoutMs: 60_000,
      });

    beforeAll(async () => {
      emu = await startTestEmulator();
      await deployHello(emu.client, FUNCTION);
      service = await tmp.make('fcs-sls-');
      home = await tmp.make('fcs-sls-home-');
      await cp(FIXTURE, service, { recursive: true });
      await mkdir(join(service, 'node_modules', '@fc-sessions'), { recursive: true });
      await symlink(ROOT, join(service, 'node_modules', '@fc-sessions', 'plugin'));
    });
    afterAll(async () => {
      await emu?.stop();
      await tmp.cleanup();
    });

    /** The schema's verdict on a bad config: osls's error box (stdout), or serverless 3's warning (stderr) followed by the plugin's own refusal. */
    const expectSchemaVerdict = (result: RunResult, path: string, schemaMessage: string, pluginMessage: string) => {
      expect(result.code).toBe(1);
      if (framework.schemaRefuses) expect(result.stdout).toContain(`'${path}': ${schemaMessage}`);
      else {
        expect(result.stderr).toContain(`at '${path}': ${schemaMessage}`);
        expect(result.stdout).toContain(pluginMessage);
      }
      expect(result.stderr).not.toContain('stub: deployed service');
    };

    let ids: string[] = [];

    it('deploy: the after:deploy:deploy hook prefetches the configured functions', async () => {
      const deployed = await sls(['deploy']);
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stderr).toContain('stub: deployed service');
      expect(`${deployed.stdout}${deployed.stderr}`).not.toMatch(/deprecat/i);
      expect(deployed.stdout).toContain(`prefetch ${FUNCTION}@LATEST: 2/2 active (2 created, 0 reused, 0 failed)`);
      // The emulator's manifests sit in a sub-folder named for its host and port (FC's own stay in .fcs/sessions).
      const folder = `127.0.0.1_${new URL(emu.emulator.endpoint).port}`;
      const manifest = JSON.parse(
        await readFile(join(service, `.fcs/sessions/${folder}/cn-hangzhou.${FUNCTION}.LATEST.json`), 'utf8'),
      );
      ids = manifest.sessions.map((s: { sessionId: string }) => s.sessionId).sort();
      expect(ids.every((id) => id.startsWith('sls-'))).toBe(true);
      expect(await activeSessionIds(emu.client, FUNCTION)).toEqual(ids);
    });

    it('deploy function: the after:deploy:function:deploy hook keeps them (reused)', async () => {
      const deployed = await sls(['deploy', 'function', '-f', 'hello']);
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stdout).toContain(`prefetch ${FUNCTION}@LATEST: 2/2 active (0 created, 2 reused, 0 failed)`);
      const other = await sls(['deploy', 'function', '-f', 'other']);
      expect(other.code).toBe(0);
      expect(other.stdout).not.toContain('prefetch');
    });

    it('fcs list, fcs invoke (into a prefetched session), fcs prefetch --count, fcs prune', async () => {
      const listed = await sls(['fcs', 'list', '-f', 'hello', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const sessions = JSON.parse(listed.stdout).sessions as {
        sessionId: string;
        containerId: string;
        prefetched: boolean;
      }[];
      expect(
        sessions
          .filter((s) => s.prefetched)
          .map((s) => s.sessionId)
          .sort(),
      ).toEqual(ids);

      const invoked = await sls(['fcs', 'invoke', '-f', 'hello', '-d', 'hi', '--json']);
      expect(invoked.code, invoked.stderr).toBe(0);
      const report = JSON.parse(invoked.stdout);
      const first = sessions.find((s) => s.sessionId === report.sessionId);
      expect(report).toMatchObject({ sessionSource: 'manifest', instanceId: first?.containerId });
      expect(JSON.parse(report.result)).toMatchObject({ event: 'hi' });

      const block = await sls(['fcs', 'invoke', '-f', 'hello', '-d', 'again']);
      expect(block.stdout).toContain('Invoke instanceId: ');
      expect(block.stdout).toContain('(prefetched)');

      const failed = await sls(['fcs', 'invoke', '-f', 'hello', '-d', 'throw']);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('Error Type: UnhandledInvocationError');
      expect(failed.stdout).toContain(`function ${FUNCTION} failed: UnhandledInvocationError`);

      const more = await sls(['fcs', 'prefetch', '-f', 'hello', '--count', '3']);
      expect(more.stdout).toContain(`prefetch ${FUNCTION}@LATEST: 3/3 active (1 created, 2 reused, 0 failed)`);

      const pruned = await sls(['fcs', 'prune']);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toContain(`prune ${FUNCTION}@LATEST: 3 deleted, 0 pending, 0 failed`);
      expect(await activeSessionIds(emu.client, FUNCTION)).toEqual([]);
    });

    it('refuses a bad custom.fcSessions before deploying: by schema (osls; serverless 3 warns), and by its own check when validation is off', async () => {
      expectSchemaVerdict(
        await sls(['deploy', '--config', 'bad-schema.yml']),
        'custom.fcSessions.functions.hello.count',
        'must be >= 0',
        'custom.fcSessions.functions.hello.count must be an integer from 0 to 1000; got -1',
      );
      const byPlugin = await sls(['deploy', '--config', 'unchecked.yml']);
      expect(byPlugin.code).toBe(1);
      expect(byPlugin.stdout).toContain(
        'custom.fcSessions.functions.hello.count must be an integer from 0 to 1000; got -1',
      );
      expect(byPlugin.stderr).not.toContain('stub: deployed service');
      const badOption = await sls(['fcs', 'prefetch', '--count', 'lots']);
      expect(badOption).toMatchObject({
        code: 1,
        stdout: expect.stringContaining('--count must be an integer from 0 to 1000; got "lots"'),
      });
    });

    it('takes the manifest folder from FCS_MANIFEST_DIR and custom.fcSessions.settleSeconds (checked) for prefetch and prune', async () => {
      expectSchemaVerdict(
        await sls(['deploy', '--config', 'bad-settle.yml']),
        'custom.fcSessions.settleSeconds',
        'must be <= 86400',
        'custom.fcSessions.settleSeconds must be an integer from 0 to 86400; got 90000',
      );
      const byPlugin = await sls(['deploy', '--config', 'unchecked-settle.yml']);
      expect(byPlugin.code).toBe(1);
      expect(byPlugin.stdout).toContain(
        'custom.fcSessions.settleSeconds must be an integer from 0 to 86400; got 90000',
      );
      expect(byPlugin.stderr).not.toContain('stub: deployed service');

      const envDir = await tmp.make('fcs-sls-env-');
      const path = join(
        envDir,
        `127.0.0.1_${new URL(emu.emulator.endpoint).port}`,
        `cn-hangzhou.${FUNCTION}.LATEST.json`,
      );
      const env = { FCS_MANIFEST_DIR: envDir };
      const store = new ManifestStore(envDir, {
        region: 'cn-hangzhou',
        functionName: FUNCTION,
        qualifier: 'LATEST',
        endpoint: emu.emulator.endpoint,
      });
      await store.load();
      await store.upsert({
        sessionId: 'sls-unknown',
        index: 0,
        state: 'creating',
        recordedAt: new Date().toISOString(),
      });

      const deployed = await sls(['deploy', '--config', 'settle.yml'], env);
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stdout).toContain(`prefetch ${FUNCTION}@LATEST: 1/1 active (1 created, 0 reused, 0 failed`);
      const recorded = JSON.parse(await readFile(path, 'utf8')).sessions.map((x: { sessionId: string }) => x.sessionId);
      expect(recorded).not.toContain('sls-unknown');
      expect(recorded).toEqual(await activeSessionIds(emu.client, FUNCTION));

      await store.load();
      await store.upsert({
        sessionId: 'sls-unknown-2',
        index: 7,
        state: 'creating',
        recordedAt: new Date().toISOString(),
      });
      const pruned = await sls(['fcs', 'prune', '--config', 'settle.yml', '--json'], env);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(JSON.parse(pruned.stdout)).toMatchObject({ pending: [], complete: true });
      expect(JSON.parse(pruned.stdout).deleted).toContain('sls-unknown-2');
      expect(await activeSessionIds(emu.client, FUNCTION)).toEqual([]);
      await store.close();
    });

    it('fcs keep --once: the keeper settings of custom.fcSessions (and its functions), one JSON line, exit 0', async () => {
      const once = await sls(['fcs', 'keep', '--config', 'keep.yml', '--once', '--json']);
      expect(once.code, once.stderr).toBe(0);
      const lines = once.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        reconcile: 1,
        desired: 2,
        active: 2,
        converged: true,
        targets: [{ functionName: FUNCTION, qualifier: 'LATEST' }],
      });
      const sessions = await emu.client.listSessions(FUNCTION, { sessionStatus: 'Active' });
      expect(sessions.sessions.map((x) => x.sessionIdleTimeoutInSeconds)).toEqual([60, 60]);
      const text = await sls(['fcs', 'keep', '--config', 'keep.yml', '--once', '-n', '3']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/keep #1: 3\/3 active \(1 created, 0 renewed/);
      expect((await sls(['fcs', 'prune', '--config', 'keep.yml'])).code).toBe(0);
    });

    it('fcs keep (exit 2) and deploy refuse bad keeper settings before any call, naming where they were written', async () => {
      const before = await activeSessionIds(emu.client, FUNCTION);
      const crossMessage =
        'custom.fcSessions.functions.hello.renewBeforeSeconds must be less than custom.fcSessions.sessionTTLInSeconds (600)';
      const cross = await sls(['fcs', 'keep', '--config', 'bad-keep.yml', '--once']);
      expect(cross.code).toBe(2);
      expect(cross.stderr).toContain(crossMessage);
      // deploy runs the same checks across settings before it deploys anything.
      const deployed = await sls(['deploy', '--config', 'bad-keep.yml']);
      expect(deployed.code).toBe(1);
      expect(deployed.stdout).toContain(crossMessage);
      expect(deployed.stderr).not.toContain('stub: deployed service');
      const choice = await sls(['fcs', 'keep', '--config', 'keep.yml', '--once', '--keep-alive', 'ping']);
      expect(choice).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--keep-alive must be one of none, invoke'),
      });
      const grace = await sls(['fcs', 'keep', '--config', 'keep.yml', '--once', '--grace', '200']);
      expect(grace).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('--grace must be at most custom.fcSessions.renewBeforeSeconds (120)'),
      });
      expect(await activeSessionIds(emu.client, FUNCTION)).toEqual(before);
    });

    it('fcs keep runs until SIGTERM: the reconcile running finishes, the lock is released (exit 130)', async () => {
      const child = spawn(
        process.execPath,
        [framework.bin, 'fcs', 'keep', '--config', 'keep.yml', '--interval', '1', '--json'],
        {
          cwd: service,
          env: { PATH: process.env['PATH'], ...emu.env, ...framework.env, HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
      try {
        await waitFor(() => out.split('\n').filter((l) => l.startsWith('{')).length >= 2, 30_000);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(130);
      const reports = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(reports.at(-1)).toMatchObject({ active: 2, converged: true });
      const folder = `127.0.0.1_${new URL(emu.emulator.endpoint).port}`;
      const manifest = join(service, `.fcs/sessions/${folder}/cn-hangzhou.${FUNCTION}.LATEST.json`);
      await expect(access(`${manifest}.lock`)).rejects.toThrow();
      expect((await sls(['fcs', 'prune', '--config', 'keep.yml'])).code).toBe(0);
      expect(await activeSessionIds(emu.client, FUNCTION)).toEqual([]);
    });

    it('lists its commands in the framework help', async () => {
      const help = await sls(['fcs', '--help']);
      expect(help.code).toBe(0);
      for (const command of ['fcs prefetch', 'fcs list', 'fcs prune', 'fcs invoke', 'fcs keep'])
        expect(help.stdout).toContain(command);
    });

    it('queued no telemetry in its home folder over all these runs', async () => {
      const queued = await readdir(join(home, '.serverless', 'telemetry-cache')).catch(() => []);
      expect(queued).toEqual([]);
    });
  },
);
