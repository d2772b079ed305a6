import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { fc, sdkInvoke } from './helpers/sdk.js';
import { zipBase64 } from './helpers/zip.js';

const FN = 'sessions-demo';
const HEADER = 'x-session-id';

describe('the official SDK against the emulator', () => {
  let t: TestEmulator;

  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a nodejs20 function from a zip', async () => {
    const created = await t.sdk.createFunction(
      new fc.CreateFunctionRequest({
        body: new fc.CreateFunctionInput({
          functionName: FN,
          runtime: 'nodejs20',
          handler: 'index.handler',
          code: new fc.InputCodeLocation({ zipFile: zipBase64({ 'index.js': NODE_HANDLER }) }),
          memorySize: 256,
          timeout: 5,
          environmentVariables: { GREETING: 'hello' },
          instanceLifecycleConfig: new fc.InstanceLifecycleConfig({
            initializer: new fc.LifecycleHook({ handler: 'index.initialize', timeout: 5 }),
            preStop: new fc.LifecycleHook({ handler: 'index.preStop', timeout: 2 }),
          }),
          sessionAffinity: 'HEADER_FIELD',
          sessionAffinityConfig: JSON.stringify({ affinityHeaderFieldName: HEADER, sessionConcurrencyPerInstance: 1 }),
        }),
      }),
    );
    expect(created.statusCode).toBe(200);
    expect(created.body?.functionName).toBe(FN);
    expect(created.body?.codeChecksum).toMatch(/^\d+$/);
    expect(created.body?.memorySize).toBe(256);

    const got = await t.sdk.getFunction(FN, new fc.GetFunctionRequest({}));
    expect(got.body?.sessionAffinity).toBe('HEADER_FIELD');
    expect(got.body?.environmentVariables).toEqual({ GREETING: 'hello' });
  });

  it('creates sessions on their own instances and routes invocations to them', async () => {
    const a = await t.sdk.createSession(
      FN,
      new fc.CreateSessionRequest({ body: new fc.CreateSessionInput({ sessionTTLInSeconds: 600 }) }),
    );
    const b = await t.sdk.createSession(
      FN,
      new fc.CreateSessionRequest({
        body: new fc.CreateSessionInput({ sessionId: 'client-chosen-1', sessionIdleTimeoutInSeconds: 300 }),
      }),
    );
    expect(a.body?.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.body?.sessionStatus).toBe('Active');
    expect(a.body?.sessionTTLInSeconds).toBe(600);
    expect(b.body?.sessionId).toBe('client-chosen-1');
    expect(a.body?.containerId).toMatch(/^c-/);
    expect(b.body?.containerId).not.toBe(a.body?.containerId);

    for (const session of [a.body!, b.body!]) {
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const result = await sdkInvoke(t.sdk, FN, `hi ${i}`, { headers: { [HEADER]: session.sessionId! } });
        expect(result.status).toBe(200);
        expect(result.headers['x-fc-instance-id']).toBe(session.containerId);
        const answer = JSON.parse(result.body.toString());
        expect(answer.instanceId).toBe(session.containerId);
        expect(answer.initialized).toBe(true);
        expect(answer.env).toEqual({ FC_FUNCTION_NAME: FN, GREETING: 'hello' });
        seen.add(answer.instanceId);
      }
      expect(seen.size).toBe(1);
    }
  });

  it('makes a session id when the header is absent and returns it', async () => {
    const result = await sdkInvoke(t.sdk, FN, 'who am i');
    const generated = result.headers[HEADER];
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    const again = await sdkInvoke(t.sdk, FN, 'again', { headers: { [HEADER]: generated! } });
    expect(again.headers['x-fc-instance-id']).toBe(result.headers['x-fc-instance-id']);
    expect(again.headers[HEADER]).toBeUndefined();
  });

  it('returns the tail of the log with x-fc-log-type Tail', async () => {
    const result = await sdkInvoke(t.sdk, FN, 'with logs', { logTail: true, headers: { [HEADER]: 'client-chosen-1' } });
    const log = Buffer.from(result.headers['x-fc-log-result'] ?? '', 'base64').toString();
    const requestId = result.headers['x-fc-request-id']!;
    expect(requestId).toMatch(/^1-[0-9a-f]+-[0-9a-f]{8}-[0-9a-f]{12}$/);
    expect(log).toContain(`FC Invoke Start RequestId: ${requestId}`);
    expect(log).toContain(`${requestId} [INFO] handling with logs`);
    expect(log).toContain(`FC Invoke End RequestId: ${requestId}`);
    expect(result.headers['x-fc-code-checksum']).toMatch(/^\d+$/);
    expect(result.headers['x-fc-invocation-service-version']).toBe('LATEST');
  });

  it('answers a function error with 200, x-fc-error-type and FC error body', async () => {
    const result = await sdkInvoke(t.sdk, FN, 'throw', { headers: { [HEADER]: 'client-chosen-1' } });
    expect(result.status).toBe(200);
    expect(result.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    const body = JSON.parse(result.body.toString());
    expect(body).toMatchObject({ errorMessage: 'boom', errorType: 'TypeError' });
    expect(Array.isArray(body.stackTrace)).toBe(true);
  });

  it('lists sessions page by page with limit and nextToken', async () => {
    for (let i = 0; i < 3; i++) {
      await t.sdk.createSession(
        FN,
        new fc.CreateSessionRequest({ body: new fc.CreateSessionInput({ sessionId: `page-${i}` }) }),
      );
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await t.sdk.listSessions(
        FN,
        new fc.ListSessionsRequest({ limit: 2, ...(nextToken ? { nextToken } : {}) }),
      );
      pages++;
      expect(page.body?.sessions?.length).toBeLessThanOrEqual(2);
      for (const session of page.body?.sessions ?? []) seen.push(session.sessionId!);
      nextToken = page.body?.nextToken;
    } while (nextToken);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['client-chosen-1', 'page-0', 'page-1', 'page-2']));

    const filtered = await t.sdk.listSessions(FN, new fc.ListSessionsRequest({ sessionId: 'page-1' }));
    expect(filtered.body?.sessions?.map((s) => s.sessionId)).toEqual(['page-1']);
  });

  it('updates, pauses, resumes and deletes a session', async () => {
    const updated = await t.sdk.updateSession(
      FN,
      'page-0',
      new fc.UpdateSessionRequest({
        body: new fc.UpdateSessionInput({
          sessionTTLInSeconds: 1200,
          nasConfig: new fc.NASConfig({
            userId: 10,
            groupId: 10,
            mountPoints: [
              new fc.NASMountConfig({ serverAddr: 'nas.example.com:/share', mountDir: '/mnt/nas', enableTLS: false }),
            ],
          }),
        }),
      }),
    );
    expect(updated.body?.sessionTTLInSeconds).toBe(1200);
    expect(updated.body?.nasConfig?.mountPoints?.[0]?.mountDir).toBe('/mnt/nas');

    const paused = await t.sdk.pauseSession(FN, 'page-0', new fc.PauseSessionRequest({}));
    expect(paused.body?.sessionStatus).toBe('Paused');
    const resumed = await t.sdk.resumeSession(FN, 'page-0', new fc.ResumeSessionRequest({}));
    expect(resumed.body?.sessionStatus).toBe('Active');

    await t.sdk.deleteSession(FN, 'page-0', new fc.DeleteSessionRequest({}));
    await expect(t.sdk.getSession(FN, 'page-0', new fc.GetSessionRequest({}))).rejects.toMatchObject({
      code: 'SessionNotFound',
      statusCode: 404,
    });
  });

  it('lists and updates functions', async () => {
    const updated = await t.sdk.updateFunction(
      FN,
      new fc.UpdateFunctionRequest({ body: new fc.UpdateFunctionInput({ description: 'updated', timeout: 7 }) }),
    );
    expect(updated.body?.description).toBe('updated');
    expect(updated.body?.timeout).toBe(7);
    const listed = await t.sdk.listFunctions(new fc.ListFunctionsRequest({ prefix: 'sessions-' }));
    expect(listed.body?.functions?.map((f) => f.functionName)).toEqual([FN]);
  });

  it('deletes a function and then answers 404 FunctionNotFound', async () => {
    t.notePids();
    await t.sdk.deleteFunction(FN);
    await expect(t.sdk.getFunction(FN, new fc.GetFunctionRequest({}))).rejects.toMatchObject({
      code: 'FunctionNotFound',
      statusCode: 404,
    });
    expect(t.emulator.instances()).toEqual([]);
  });
});
