import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploy } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { fc2Headers, send } from './helpers/raw.js';

const PATH = '/2016-08-15/services/legacy.LATEST/functions/worker/invocations';

describe('the FC 2.0 invoke path', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
    await deploy(
      t.emulator,
      { functionName: 'legacy$worker', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HANDLER },
    );
    await deploy(
      t.emulator,
      { functionName: 'plain', runtime: 'nodejs20', handler: 'index.handler' },
      { 'index.js': NODE_HANDLER },
    );
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('maps service$function to one FC 3.0 function and answers every FC 2.0 header', async () => {
    const headers = fc2Headers(t.emulator.accountId, t.emulator.credentials, PATH, 'from fc2', {
      'x-fc-log-type': 'Tail',
      'x-fc-invocation-type': 'Sync',
    });
    const response = await send(t.emulator.endpoint, { method: 'POST', path: PATH, headers, body: 'from fc2' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toMatchObject({ event: 'from fc2', functionName: 'legacy$worker' });
    for (const name of [
      'x-fc-request-id',
      'x-fc-log-result',
      'x-fc-code-checksum',
      'x-fc-instance-id',
      'x-fc-max-memory-usage',
      'x-fc-invocation-duration',
      'x-fc-invocation-service-version',
    ]) {
      expect(response.headers[name], name).toBeDefined();
    }
    expect(response.headers['x-fc-invocation-service-version']).toBe('LATEST');
    expect(Buffer.from(String(response.headers['x-fc-log-result']), 'base64').toString()).toContain(
      'handling from fc2',
    );
  });

  it('falls back to a function named like the FC 2.0 function', async () => {
    const path = '/2016-08-15/services/any/functions/plain/invocations';
    const response = await send(t.emulator.endpoint, {
      method: 'POST',
      path,
      headers: fc2Headers(t.emulator.accountId, t.emulator.credentials, path, 'x'),
      body: 'x',
    });
    expect(response.status).toBe(200);
  });

  it('reports function errors with X-Fc-Error-Type', async () => {
    const headers = fc2Headers(t.emulator.accountId, t.emulator.credentials, PATH, 'throw');
    const response = await send(t.emulator.endpoint, { method: 'POST', path: PATH, headers, body: 'throw' });
    expect(response.status).toBe(200);
    expect(response.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
  });

  it('answers async with 202 and echoes X-Fc-Stateful-Async-Invocation-Id', async () => {
    const extra = { 'x-fc-invocation-type': 'Async', 'x-fc-stateful-async-invocation-id': 'job-42' };
    const headers = fc2Headers(t.emulator.accountId, t.emulator.credentials, PATH, 'later', extra);
    const response = await send(t.emulator.endpoint, { method: 'POST', path: PATH, headers, body: 'later' });
    expect(response.status).toBe(202);
    expect(response.headers['x-fc-stateful-async-invocation-id']).toBe('job-42');
    expect(response.headers['x-fc-request-id']).toBeDefined();
  });

  it('rejects a bad FC 2.0 signature with an FC 2.0 error body', async () => {
    const headers = fc2Headers(t.emulator.accountId, t.emulator.credentials, PATH, 'signed');
    const tampered = await send(t.emulator.endpoint, { method: 'POST', path: PATH, headers, body: 'changed' });
    expect(tampered.status).toBe(403);
    expect(JSON.parse(tampered.body.toString())).toMatchObject({ errorCode: 'SignatureNotMatch' });

    const resigned = { ...headers, 'x-fc-log-type': 'Tail' };
    const unsignedHeader = await send(t.emulator.endpoint, {
      method: 'POST',
      path: PATH,
      headers: resigned,
      body: 'signed',
    });
    expect(unsignedHeader.status).toBe(403);

    const old = fc2Headers(
      t.emulator.accountId,
      t.emulator.credentials,
      PATH,
      'x',
      {},
      new Date(Date.now() - 20 * 60_000),
    );
    const stale = await send(t.emulator.endpoint, { method: 'POST', path: PATH, headers: old, body: 'x' });
    expect(JSON.parse(stale.body.toString())).toMatchObject({ errorCode: 'InvalidTimeStamp.Expired' });
  });

  it('answers 404 FunctionNotFound in FC 2.0 form', async () => {
    const path = '/2016-08-15/services/nope/functions/none/invocations';
    const response = await send(t.emulator.endpoint, {
      method: 'POST',
      path,
      headers: fc2Headers(t.emulator.accountId, t.emulator.credentials, path, ''),
      body: '',
    });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString())).toMatchObject({ errorCode: 'FunctionNotFound' });
  });
});
