import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FcClient } from '@fc-sessions/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator, waitFor } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { fc, type Sdk, sdkInvoke } from './helpers/sdk.js';
import { zipBase64 } from './helpers/zip.js';

const FN = 'versioned';
const HEADER = 'x-session-id';

interface Fc2Sdk {
  invokeFunction(
    service: string,
    fn: string,
    event: string,
    headers?: Record<string, string>,
    qualifier?: string,
  ): Promise<{ headers: Record<string, string>; data: unknown }>;
}
const Fc2 = createRequire(import.meta.url)('@alicloud/fc2') as new (
  accountId: string,
  config: Record<string, unknown>,
) => Fc2Sdk;

/** The SDK's error for a call expected to fail, or a test failure if it succeeded. */
async function sdkError(call: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { statusCode?: number; code?: string; data?: { statusCode?: number }; message: string };
    return { statusCode: e.statusCode ?? e.data?.statusCode, code: e.code, message: e.message };
  }
  throw new Error('the call succeeded');
}

const answerOf = (body: Buffer) =>
  JSON.parse(body.toString()) as { instanceId: string; env: { GREETING: string }; event: string };

async function setGreeting(sdk: Sdk, greeting: string): Promise<void> {
  await sdk.updateFunction(
    FN,
    new fc.UpdateFunctionRequest({
      body: new fc.UpdateFunctionInput({ environmentVariables: { GREETING: greeting } }),
    }),
  );
}

async function publish(sdk: Sdk, description: string): Promise<string> {
  const published = await sdk.publishFunctionVersion(
    FN,
    new fc.PublishFunctionVersionRequest({ body: new fc.PublishVersionInput({ description }) }),
  );
  return published.body!.versionId!;
}

async function taskOf(sdk: Sdk, taskId: string) {
  return (await sdk.getAsyncTask(FN, taskId, new fc.GetAsyncTaskRequest({}))).body!;
}

async function waitForTask(sdk: Sdk, taskId: string, status: string) {
  await waitFor(async () => (await taskOf(sdk, taskId)).status === status, 10_000, `task ${taskId} ${status}`);
  return taskOf(sdk, taskId);
}

describe('versions, aliases, sessions and async tasks through the official SDKs', () => {
  let t: TestEmulator;
  const sessions: Record<string, { sessionId: string; containerId: string }> = {};

  beforeAll(async () => {
    t = await startTestEmulator();
    await deploy(
      t.emulator,
      {
        functionName: FN,
        runtime: 'nodejs20',
        handler: 'index.handler',
        timeout: 30,
        environmentVariables: { GREETING: 'one' },
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER, sessionConcurrencyPerInstance: 1 }),
      },
      { 'index.js': NODE_HANDLER },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('publishes versions that snapshot the configuration, and lists them both ways', async () => {
    // Act
    const v1 = await publish(t.sdk, 'first');
    await setGreeting(t.sdk, 'two');
    const v2 = await publish(t.sdk, 'second');
    await setGreeting(t.sdk, 'latest');
    const backward = await t.sdk.listFunctionVersions(FN, new fc.ListFunctionVersionsRequest({}));
    const page = await t.sdk.listFunctionVersions(
      FN,
      new fc.ListFunctionVersionsRequest({ direction: 'FORWARD', limit: 1 }),
    );
    const next = await t.sdk.listFunctionVersions(
      FN,
      new fc.ListFunctionVersionsRequest({ direction: 'FORWARD', limit: 1, nextToken: page.body!.nextToken }),
    );
    const one = await t.sdk.getFunction(FN, new fc.GetFunctionRequest({ qualifier: v1 }));

    // Assess
    expect([v1, v2]).toEqual(['1', '2']);
    expect(backward.body?.versions?.map((v) => [v.versionId, v.description])).toEqual([
      ['2', 'second'],
      ['1', 'first'],
    ]);
    expect(page.body?.versions?.map((v) => v.versionId)).toEqual(['1']);
    expect(next.body?.versions?.map((v) => v.versionId)).toEqual(['2']);
    expect(next.body?.nextToken).toBeUndefined();
    expect(one.body?.environmentVariables).toEqual({ GREETING: 'one' });
  });

  it('creates aliases and routes calls without a session to their version', async () => {
    // Act
    const prod = await t.sdk.createAlias(
      FN,
      new fc.CreateAliasRequest({ body: new fc.CreateAliasInput({ aliasName: 'prod', versionId: '1' }) }),
    );
    await t.sdk.createAlias(
      FN,
      new fc.CreateAliasRequest({ body: new fc.CreateAliasInput({ aliasName: 'canary', versionId: '2' }) }),
    );
    const listed = await t.sdk.listAliases(FN, new fc.ListAliasesRequest({}));
    const answers = await Promise.all(
      ['prod', 'canary', 'LATEST', '1'].map((qualifier) => sdkInvoke(t.sdk, FN, 'hi', { qualifier })),
    );

    // Assess
    expect(prod.body).toMatchObject({ aliasName: 'prod', versionId: '1', additionalVersionWeight: {} });
    expect(listed.body?.aliases?.map((a) => `${a.aliasName}->${a.versionId}`)).toEqual(['canary->2', 'prod->1']);
    expect(answers.map((a) => answerOf(a.body).env.GREETING)).toEqual(['one', 'two', 'latest', 'one']);
    expect(answers.map((a) => a.headers['x-fc-invocation-service-version'])).toEqual(['1', '2', 'LATEST', '1']);
  });

  it("scopes sessions to their qualifier: each session's calls land on its version's instance", async () => {
    // Act
    for (const qualifier of ['prod', 'canary']) {
      const created = await t.sdk.createSession(
        FN,
        new fc.CreateSessionRequest({ qualifier, body: new fc.CreateSessionInput({ sessionId: `s-${qualifier}` }) }),
      );
      sessions[qualifier] = { sessionId: created.body!.sessionId!, containerId: created.body!.containerId! };
    }
    const calls = [];
    for (const qualifier of ['prod', 'canary', 'prod', 'canary']) {
      const { sessionId } = sessions[qualifier]!;
      calls.push(await sdkInvoke(t.sdk, FN, qualifier, { qualifier, headers: { [HEADER]: sessionId } }));
    }
    const onProd = await t.sdk.listSessions(FN, new fc.ListSessionsRequest({ qualifier: 'prod' }));
    const elsewhere = await sdkError(t.sdk.getSession(FN, 's-prod', new fc.GetSessionRequest({ qualifier: 'canary' })));
    const crossed = await invoke(t.emulator, FN, 'x', { [HEADER]: 's-prod' });

    // Assess
    expect(calls.map((c) => [answerOf(c.body).env.GREETING, answerOf(c.body).instanceId])).toEqual([
      ['one', sessions['prod']!.containerId],
      ['two', sessions['canary']!.containerId],
      ['one', sessions['prod']!.containerId],
      ['two', sessions['canary']!.containerId],
    ]);
    // calls without a session id made sessions of their own (HEADER_FIELD): all on prod, none of canary's
    expect(onProd.body?.sessions?.map((s) => s.sessionId)).toContain('s-prod');
    expect(new Set(onProd.body?.sessions?.map((s) => s.qualifier))).toEqual(new Set(['prod']));
    expect(elsewhere.statusCode).toBe(404);
    expect(crossed.status).toBe(400);
    expect(crossed.json()['Message']).toContain('belongs to qualifier prod');
  });

  it('honours canary weights for calls without a session', async () => {
    // Act
    await t.sdk.updateAlias(
      FN,
      'canary',
      new fc.UpdateAliasRequest({
        body: new fc.UpdateAliasInput({ versionId: '1', additionalVersionWeight: { '2': 0.5 } }),
      }),
    );
    const greetings = new Set<string>();
    for (let i = 0; i < 40 && greetings.size < 2; i++) {
      greetings.add(answerOf((await sdkInvoke(t.sdk, FN, 'w', { qualifier: 'canary' })).body).env.GREETING);
    }
    const alias = await t.sdk.getAlias(FN, 'canary');

    // Assess
    expect([...greetings].sort()).toEqual(['one', 'two']);
    expect(alias.body?.additionalVersionWeight).toEqual({ '2': 0.5 });
  });

  it('keeps a session on its version when its alias moves (onAliasMove: keep)', async () => {
    // Act
    await t.sdk.updateAlias(
      FN,
      'prod',
      new fc.UpdateAliasRequest({ body: new fc.UpdateAliasInput({ versionId: '2' }) }),
    );
    const session = await sdkInvoke(t.sdk, FN, 'kept', { qualifier: 'prod', headers: { [HEADER]: 's-prod' } });
    const fresh = await sdkInvoke(t.sdk, FN, 'fresh', { qualifier: 'prod' });

    // Assess
    expect(answerOf(session.body)).toMatchObject({
      instanceId: sessions['prod']!.containerId,
      env: { GREETING: 'one' },
    });
    expect(answerOf(fresh.body).env.GREETING).toBe('two');
  });

  it('refuses to delete a version an alias points at or weighs', async () => {
    // Act
    const refused = await sdkError(t.sdk.deleteFunctionVersion(FN, '1'));

    // Assess
    expect(refused.statusCode).toBe(409);
    expect(refused.message).toContain('canary');
  });

  it('records async invoke config', async () => {
    // Act
    await t.sdk.putAsyncInvokeConfig(
      FN,
      new fc.PutAsyncInvokeConfigRequest({
        qualifier: 'prod',
        body: new fc.PutAsyncInvokeConfigInput({
          asyncTask: true,
          maxAsyncRetryAttempts: 0,
          maxAsyncEventAgeInSeconds: 600,
          destinationConfig: new fc.DestinationConfig({
            onFailure: new fc.Destination({ destination: `acs:fc:cn-hangzhou:${t.emulator.accountId}:functions/dlq` }),
          }),
        }),
      }),
    );
    const got = await t.sdk.getAsyncInvokeConfig(FN, new fc.GetAsyncInvokeConfigRequest({ qualifier: 'prod' }));
    const listed = await t.sdk.listAsyncInvokeConfigs(new fc.ListAsyncInvokeConfigsRequest({ functionName: FN }));
    const bad = await sdkError(
      t.sdk.putAsyncInvokeConfig(
        FN,
        new fc.PutAsyncInvokeConfigRequest({ body: new fc.PutAsyncInvokeConfigInput({ maxAsyncRetryAttempts: 9 }) }),
      ),
    );

    // Assess
    expect(got.body).toMatchObject({
      asyncTask: true,
      maxAsyncRetryAttempts: 0,
      maxAsyncEventAgeInSeconds: 600,
      functionArn: expect.stringMatching(/functions\/versioned\/prod$/),
    });
    expect(got.body?.destinationConfig?.onFailure?.destination).toMatch(/functions\/dlq$/);
    expect(listed.body?.configs).toHaveLength(1);
    expect(bad.statusCode).toBe(400);
    expect(bad.message).toContain('maxAsyncRetryAttempts');
  });

  it('runs async tasks to their end with times and the returned payload or error', async () => {
    // Act
    await sdkInvoke(t.sdk, FN, 'report', { async: true, asyncTaskId: 'job_ok', qualifier: 'prod' });
    await sdkInvoke(t.sdk, FN, 'throw', { async: true, asyncTaskId: 'job_fail' });
    const generated = await sdkInvoke(t.sdk, FN, 'anon', { async: true });
    const ok = await waitForTask(t.sdk, 'job_ok', 'Succeeded');
    const failed = await waitForTask(t.sdk, 'job_fail', 'Failed');
    const generatedId = generated.headers['x-fc-async-task-id']!;
    await waitForTask(t.sdk, generatedId, 'Succeeded');
    const listed = await t.sdk.listAsyncTasks(
      FN,
      new fc.ListAsyncTasksRequest({ status: 'Succeeded', sortOrderByTime: 'asc', includePayload: true }),
    );

    // Assess
    expect(ok).toMatchObject({ taskId: 'job_ok', status: 'Succeeded', qualifier: 'prod' });
    expect(answerOf(Buffer.from(ok.returnPayload!))).toMatchObject({ event: 'report', env: { GREETING: 'two' } });
    expect(ok.endTime! >= ok.startedTime!).toBe(true);
    expect(ok.durationMs).toBe(ok.endTime! - ok.startedTime!);
    expect(ok.events?.map((e) => e.status)).toEqual(['Enqueued', 'Running', 'Succeeded']);
    expect(failed.taskErrorMessage).toBe('boom');
    expect(generatedId).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/);
    expect(listed.body?.tasks?.map((task) => task.taskId)).toEqual(['job_ok', generatedId]);
    expect(listed.body?.tasks?.[0]?.taskPayload).toBe('report');
  });

  it('StopAsyncTask really stops a running task: its instance process is killed', async () => {
    // Prepare
    await sdkInvoke(t.sdk, FN, 'sleep', { async: true, asyncTaskId: 'job_sleep' });
    const running = await waitForTask(t.sdk, 'job_sleep', 'Running');
    await waitFor(() => t.emulator.instances().some((i) => i.instanceId === running.instanceId && i.pid), 5000);
    const pid = t.emulator.instances().find((i) => i.instanceId === running.instanceId)!.pid!;

    // Act
    await t.sdk.stopAsyncTask(FN, 'job_sleep', new fc.StopAsyncTaskRequest({}));
    const stopped = await waitForTask(t.sdk, 'job_sleep', 'Stopped');
    const again = await sdkError(t.sdk.stopAsyncTask(FN, 'job_sleep', new fc.StopAsyncTaskRequest({})));

    // Assess
    expect(stopped.events?.map((e) => e.status)).toEqual(['Enqueued', 'Running', 'Stopping', 'Stopped']);
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      5000,
      'the instance process to exit',
    );
    expect(again.statusCode).toBe(400);
  });

  it('StopAsyncTask on a queued (delayed) task: it never runs', async () => {
    // Prepare
    const client = new FcClient({ endpoint: t.emulator.endpoint, credentials: t.emulator.credentials, env: {} });
    await client.invoke(FN, { invocationType: 'Async', asyncTaskId: 'job_later', asyncDelaySeconds: 60, body: 'x' });

    // Act
    await client.stopAsyncTask(FN, 'job_later');
    const task = await client.getAsyncTask(FN, 'job_later');
    client.close();

    // Assess
    expect(task.status).toBe('Stopped');
    expect(task.events?.map((e) => e.status)).toEqual(['Enqueued', 'Stopped']);
  });

  it('takes FC 2.0 stateful ids by the seed rule, generates one when absent, and serves the task through FC 3.0', async () => {
    // Prepare
    const fc2 = new Fc2(t.emulator.accountId, {
      accessKeyID: t.emulator.credentials.accessKeyId,
      accessKeySecret: t.emulator.credentials.accessKeySecret,
      region: t.emulator.region,
      endpoint: t.emulator.endpoint,
      timeout: 10_000,
    });
    // A fresh connection per call: httpx (under @alicloud/fc2) fails at once, as a "ReadTimeout", when it reuses a kept-alive socket.
    const async = (id?: string) => ({
      connection: 'close',
      'x-fc-invocation-type': 'Async',
      ...(id === undefined ? {} : { 'x-fc-stateful-async-invocation-id': id }),
    });
    // httpx still reports that false "ReadTimeout" now and then, long before the 10 s timeout: such a
    // call is sent again (under a new id where the first may have started a task), any other error is not.
    const invokeFc2 = async (event: string, id?: string, qualifier?: string) => {
      for (let attempt = 0; ; attempt++) {
        const taskId = id === undefined || attempt === 0 ? id : `${id}_${attempt}`;
        const started = Date.now();
        try {
          return { taskId, answer: await fc2.invokeFunction('any', FN, event, async(taskId), qualifier) };
        } catch (error) {
          const falseTimeout = (error as Error).name === 'RequestTimeoutError' && Date.now() - started < 5000;
          if (!falseTimeout || attempt === 2) throw error;
        }
      }
    };

    // Act
    const started = await invokeFc2('sleep', 'video_42', 'prod');
    const generated = await invokeFc2('hi');
    const refused: string[] = [];
    for (const id of ['9starts-with-digit', '-dash', 'has space', `a${'b'.repeat(128)}`]) {
      refused.push(
        await invokeFc2('x', id).then(
          () => 'accepted',
          (error: { message: string }) => error.message,
        ),
      );
    }
    const running = await waitForTask(t.sdk, started.taskId as string, 'Running');
    await t.sdk.stopAsyncTask(FN, started.taskId as string, new fc.StopAsyncTaskRequest({ qualifier: 'prod' }));
    const stopped = await waitForTask(t.sdk, started.taskId as string, 'Stopped');

    // Assess
    expect(started.taskId).toMatch(/^video_42/);
    expect(started.answer.headers['x-fc-stateful-async-invocation-id']).toBe(started.taskId);
    expect(generated.answer.headers['x-fc-stateful-async-invocation-id']).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/);
    for (const message of refused) {
      expect(message).toContain('failed with 400');
      expect(message).toContain('x-fc-stateful-async-invocation-id');
    }
    expect(running).toMatchObject({ qualifier: 'prod', taskPayload: 'sleep' });
    expect(stopped.status).toBe('Stopped');
  });

  it('deletes aliases, then the versions they pointed at; their sessions end', async () => {
    // Act
    await t.sdk.deleteAlias(FN, 'canary');
    await t.sdk.deleteFunctionVersion(FN, '1');
    const versions = await t.sdk.listFunctionVersions(FN, new fc.ListFunctionVersionsRequest({}));
    const gone = await sdkError(t.sdk.getFunction(FN, new fc.GetFunctionRequest({ qualifier: '1' })));
    const session = await sdkError(t.sdk.getSession(FN, 's-prod', new fc.GetSessionRequest({})));
    const unknown = await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/aliases/canary`, 'GetAlias');

    // Assess
    expect(versions.body?.versions?.map((v) => v.versionId)).toEqual(['2']);
    expect(gone.statusCode).toBe(404);
    expect(session.statusCode).toBe(404);
    expect(unknown.status).toBe(404);
    expect(unknown.json()['Code']).toBe('AliasNotFound');
  });
});

describe('alias moves, bad input and restarts', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** An emulator with FN deployed, versions 1 (GREETING one) and 2 (two), alias prod -> 1 and a session on prod. */
  async function withProdSession(options: Parameters<typeof startTestEmulator>[0]) {
    const t = await startTestEmulator(options);
    await deploy(
      t.emulator,
      {
        functionName: FN,
        runtime: 'nodejs20',
        handler: 'index.handler',
        environmentVariables: { GREETING: 'one' },
        sessionAffinity: 'HEADER_FIELD',
        sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER }),
      },
      { 'index.js': NODE_HANDLER },
    );
    await publish(t.sdk, 'one');
    await setGreeting(t.sdk, 'two');
    await publish(t.sdk, 'two');
    await t.sdk.createAlias(
      FN,
      new fc.CreateAliasRequest({ body: new fc.CreateAliasInput({ aliasName: 'prod', versionId: '1' }) }),
    );
    await t.sdk.createSession(
      FN,
      new fc.CreateSessionRequest({ qualifier: 'prod', body: new fc.CreateSessionInput({ sessionId: 'kept' }) }),
    );
    await t.sdk.updateAlias(
      FN,
      'prod',
      new fc.UpdateAliasRequest({ body: new fc.UpdateAliasInput({ versionId: '2' }) }),
    );
    return t;
  }

  it('onAliasMove follow: the session moves to the new version on its next request', async () => {
    // Prepare
    const t = await withProdSession({ onAliasMove: 'follow' });

    // Act
    const answer = await sdkInvoke(t.sdk, FN, 'x', { qualifier: 'prod', headers: { [HEADER]: 'kept' } });
    const session = await t.sdk.getSession(FN, 'kept', new fc.GetSessionRequest({ qualifier: 'prod' }));
    await t.stop();

    // Assess
    expect(answerOf(answer.body).env.GREETING).toBe('two');
    expect(session.body?.containerId).toBe(answerOf(answer.body).instanceId);
  });

  it('onAliasMove expire: the session ends when its alias moves', async () => {
    // Prepare
    const t = await withProdSession({ onAliasMove: 'expire' });

    // Act
    const read = await sdkError(t.sdk.getSession(FN, 'kept', new fc.GetSessionRequest({})));
    await t.stop();

    // Assess
    expect(read.statusCode).toBe(404);
  });

  it('answers 4xx naming the field for bad versions, aliases and qualifiers', async () => {
    // Prepare
    const t = await withProdSession({});
    const path = `/2023-03-30/functions/${FN}`;

    // Act
    const answers = await Promise.all([
      call(t.emulator, 'POST', `${path}/aliases`, 'CreateAlias', { aliasName: 'x' }),
      call(t.emulator, 'POST', `${path}/aliases`, 'CreateAlias', { aliasName: '9x', versionId: '1' }),
      call(t.emulator, 'POST', `${path}/aliases`, 'CreateAlias', { aliasName: 'x', versionId: '7' }),
      call(t.emulator, 'POST', `${path}/aliases`, 'CreateAlias', { aliasName: 'prod', versionId: '1' }),
      call(t.emulator, 'PUT', `${path}/aliases/prod`, 'UpdateAlias', { additionalVersionWeight: { '1': 1.5 } }),
      call(t.emulator, 'PUT', `${path}/aliases/prod`, 'UpdateAlias', { additionalVersionWeight: { '2': 0.5 } }),
      call(t.emulator, 'POST', `${path}/versions`, 'PublishFunctionVersion', { description: 'd'.repeat(300) }),
      call(t.emulator, 'GET', `${path}?qualifier=nope`, 'GetFunction'),
      call(t.emulator, 'GET', `${path}?qualifier=9`, 'GetFunction'),
      call(t.emulator, 'GET', `${path}?qualifier=a%20b`, 'GetFunction'),
      call(t.emulator, 'GET', `${path}/async-tasks/9bad`, 'GetAsyncTask'),
      call(t.emulator, 'GET', `${path}/async-tasks?status=Done`, 'ListAsyncTasks'),
      call(t.emulator, 'GET', `${path}/versions?direction=UP`, 'ListFunctionVersions'),
    ]);
    await t.stop();

    // Assess
    expect(answers.map((a) => `${a.status} ${a.json()['Code']}`)).toEqual([
      '400 InvalidArgument',
      '400 InvalidArgument',
      '404 VersionNotFound',
      '409 AliasAlreadyExists',
      '400 InvalidArgument',
      '400 InvalidArgument',
      '400 InvalidArgument',
      '404 AliasNotFound',
      '404 VersionNotFound',
      '400 InvalidArgument',
      '400 InvalidArgument',
      '400 InvalidArgument',
      '400 InvalidArgument',
    ]);
    const messages = answers.map((a) => String(a.json()['Message']));
    expect(messages[0]).toContain('versionId');
    expect(messages[1]).toContain('aliasName');
    expect(messages[4]).toContain('additionalVersionWeight.1');
    expect(messages[5]).toContain("alias's own version");
    expect(messages[6]).toContain('description');
    expect(messages[11]).toContain('status');
  });

  it('keeps versions, aliases and their code across a restart', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fcs-versions-'));
    dirs.push(dataDir);
    const first = await withProdSession({ dataDir });
    await setGreeting(first.sdk, 'three');
    await first.sdk.updateFunction(
      FN,
      new fc.UpdateFunctionRequest({
        body: new fc.UpdateFunctionInput({
          code: new fc.InputCodeLocation({ zipFile: zipBase64({ 'index.js': `${NODE_HANDLER}\n// new code` }) }),
        }),
      }),
    );
    await first.stop();

    // Act
    const second = await startTestEmulator({ dataDir });
    const answers = await Promise.all(
      ['1', 'prod', 'LATEST'].map((qualifier) => sdkInvoke(second.sdk, FN, 'x', { qualifier })),
    );
    const alias = await second.sdk.getAlias(FN, 'prod');
    await second.stop();

    // Assess
    expect(answers.map((a) => answerOf(a.body).env.GREETING)).toEqual(['one', 'two', 'three']);
    expect(alias.body?.versionId).toBe('2');
  });
});
