import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, deploySessionFunction, invoke } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { zipBase64 } from './helpers/zip.js';

const FN = 'validated';
const base = {
  functionName: 'x1',
  runtime: 'nodejs20',
  handler: 'index.handler',
  code: { zipFile: zipBase64({ 'index.js': NODE_HANDLER }) },
};

describe('bad input', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator({ limits: { syncPayloadBytes: 1024, asyncPayloadBytes: 256 } });
    await deploySessionFunction(t.emulator, FN);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const expect400 = async (response: Awaited<ReturnType<typeof call>>, field: string, code = 'InvalidArgument') => {
    const body = response.json();
    expect({ status: response.status, code: body['Code'] }).toEqual({ status: 400, code });
    expect(String(body['Message'])).toContain(field);
  };

  it.each([
    ['functionName', { ...base, functionName: '9starts-with-digit' }],
    ['runtime', { ...base, runtime: 'python3.10' }],
    ['memorySize', { ...base, memorySize: 100 }],
    ['timeout', { ...base, timeout: 0 }],
    ['timeout', { ...base, timeout: '30' }],
    ['instanceConcurrency', { ...base, instanceConcurrency: 201 }],
    ['environmentVariables', { ...base, environmentVariables: { FC_SECRET: 'x' } }],
    ['environmentVariables.A', { ...base, environmentVariables: { A: 1 } }],
    ['sessionAffinity', { ...base, sessionAffinity: 'STICKY' }],
    [
      'sessionAffinityConfig.affinityHeaderFieldName',
      { ...base, sessionAffinity: 'HEADER_FIELD', sessionAffinityConfig: '{}' },
    ],
    [
      'sessionAffinityConfig.affinityHeaderFieldName',
      { ...base, sessionAffinity: 'HEADER_FIELD', sessionAffinityConfig: '{"affinityHeaderFieldName":"x-fc-session"}' },
    ],
    [
      'sessionAffinityConfig.sessionConcurrencyPerInstance',
      { ...base, sessionAffinityConfig: '{"sessionConcurrencyPerInstance":0}' },
    ],
    ['sessionAffinityConfig', { ...base, sessionAffinityConfig: 'not json' }],
    ['customRuntimeConfig.command[0]', { ...base, runtime: 'custom.debian12', customRuntimeConfig: { command: [1] } }],
    ['handler', { ...base, handler: 'nodot' }],
    ['code.zipFile', { ...base, code: {} }],
    ['code.zipFile', { ...base, code: { zipFile: Buffer.from('not a zip').toString('base64') } }],
    ['code.ossBucketName', { ...base, code: { ossBucketName: 'b', ossObjectName: 'o' } }],
  ])('CreateFunction names %s', async (field, body) => {
    await expect400(await call(t.emulator, 'POST', '/2023-03-30/functions', 'CreateFunction', body), field);
  });

  it('refuses malformed JSON and non-object bodies', async () => {
    await expect400(await call(t.emulator, 'POST', '/2023-03-30/functions', 'CreateFunction', '{'), 'JSON');
    await expect400(await call(t.emulator, 'POST', '/2023-03-30/functions', 'CreateFunction', '[1]'), 'JSON object');
  });

  it('refuses a second function with the same name', async () => {
    const response = await call(t.emulator, 'POST', '/2023-03-30/functions', 'CreateFunction', {
      ...base,
      functionName: FN,
    });
    expect(response.status).toBe(409);
    expect(response.json()['Code']).toBe('FunctionAlreadyExists');
  });

  it.each([
    ['sessionTTLInSeconds', { sessionTTLInSeconds: 21601 }],
    ['sessionIdleTimeoutInSeconds', { sessionIdleTimeoutInSeconds: -1 }],
    ['sessionId', { sessionId: '-leading-dash' }],
    ['sessionId', { sessionId: 'x'.repeat(65) }],
    ['disableSessionIdReuse', { disableSessionIdReuse: 'yes' }],
    ['nasConfig.mountPoints[0].mountDir', { nasConfig: { mountPoints: [{ serverAddr: 'a', mountDir: 'relative' }] } }],
  ])('CreateSession names %s', async (field, body) => {
    await expect400(
      await call(t.emulator, 'POST', `/2023-03-30/functions/${FN}/sessions`, 'CreateSession', body),
      field,
    );
  });

  it('checks list parameters', async () => {
    await expect400(await call(t.emulator, 'GET', '/2023-03-30/functions?limit=0', 'ListFunctions'), 'limit');
    await expect400(
      await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions?limit=101`, 'ListSessions'),
      'limit',
    );
    await expect400(
      await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions?sessionStatus=Gone`, 'ListSessions'),
      'sessionStatus',
    );
    await expect400(
      await call(t.emulator, 'GET', '/2023-03-30/functions?nextToken=forged', 'ListFunctions'),
      'nextToken',
    );
  });

  it('checks invocation headers and payload sizes', async () => {
    await expect400(await invoke(t.emulator, FN, 'x', { 'x-fc-invocation-type': 'Later' }), 'x-fc-invocation-type');
    await expect400(await invoke(t.emulator, FN, 'x', { 'x-fc-log-type': 'All' }), 'x-fc-log-type');
    await expect400(
      await invoke(t.emulator, FN, 'x', { 'x-fc-invocation-type': 'Async', 'x-fc-async-task-id': '1bad' }),
      'x-fc-async-task-id',
    );
    await expect400(await invoke(t.emulator, FN, 'x'.repeat(2000)), 'at most 1024 bytes', 'EntityTooLarge');
    await expect400(
      await invoke(t.emulator, FN, 'x'.repeat(300), { 'x-fc-invocation-type': 'Async' }),
      'at most 256 bytes',
      'EntityTooLarge',
    );
    await expect400(await invoke(t.emulator, FN, 'x', { 'x-session-id': 'bad id!' }), 'session id');
  });

  it('answers 404 for unknown functions, sessions, versions and aliases', async () => {
    const missingFn = await call(t.emulator, 'GET', '/2023-03-30/functions/nope', 'GetFunction');
    expect({ status: missingFn.status, code: missingFn.json()['Code'] }).toEqual({
      status: 404,
      code: 'FunctionNotFound',
    });
    const missingSession = await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/sessions/nope`, 'GetSession');
    expect({ status: missingSession.status, code: missingSession.json()['Code'] }).toEqual({
      status: 404,
      code: 'SessionNotFound',
    });
    const version = await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}?qualifier=3`, 'GetFunction');
    expect(version.json()['Code']).toBe('VersionNotFound');
    const alias = await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}?qualifier=prod`, 'GetFunction');
    expect(alias.json()['Code']).toBe('AliasNotFound');
    const unsupported = await call(t.emulator, 'GET', `/2023-03-30/functions/${FN}/layers`, 'ListLayers');
    expect({ status: unsupported.status, code: unsupported.json()['Code'] }).toEqual({
      status: 404,
      code: 'NotSupported',
    });
  });

  it('refuses CreateSession for a function without HEADER_FIELD or GENERATED_COOKIE affinity', async () => {
    await deploy(
      t.emulator,
      { functionName: 'no-affinity', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HANDLER },
    );
    await expect400(
      await call(t.emulator, 'POST', '/2023-03-30/functions/no-affinity/sessions', 'CreateSession', {}),
      'sessionAffinity NONE',
    );
  });
});
