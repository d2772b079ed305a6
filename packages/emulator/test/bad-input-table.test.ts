import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploySessionFunction } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { NODE_HANDLER } from './helpers/functions.js';
import { acs3Headers, fc2Headers, type RawRequest, type RawResponse, send } from './helpers/raw.js';
import { makeZip } from './helpers/zip.js';

const FN = 'table';
const FUNCTIONS = '/2023-03-30/functions';
const SESSIONS = `${FUNCTIONS}/${FN}/sessions`;

/** A zip whose entries in `links` are symlinks to their content (makeZip writes regular files only). */
function zipWithSymlinks(files: Record<string, string>, links: Record<string, string>): string {
  const zip = makeZip({ ...files, ...links });
  for (let at = zip.indexOf(0x02014b50 & 0xff); at >= 0 && at < zip.length - 46; at++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) continue;
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (name in links) zip.writeUInt32LE((0o120777 << 16) >>> 0, at + 38);
  }
  return zip.toString('base64');
}

const zipOf = (files: Record<string, string>) => makeZip(files).toString('base64');
const fn = (extra: Record<string, unknown>) => ({
  functionName: 'bad1',
  runtime: 'nodejs20',
  handler: 'index.handler',
  code: { zipFile: zipOf({ 'index.js': NODE_HANDLER }) },
  ...extra,
});

/** One bad request: what is sent, and the status, error code and field (text in the message) expected. */
interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly action?: string;
  /** Sent as JSON unless a string. */
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** false: sent without a signature. 'fc2': signed the FC 2.0 way. */
  readonly sign?: boolean | 'fc2';
  readonly status: number;
  readonly code: string;
  readonly field: string;
}

const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

function cases(outside: string): Case[] {
  const create = (name: string, body: unknown, field: string, code = 'InvalidArgument', status = 400): Case => ({
    name: `CreateFunction: ${name}`,
    method: 'POST',
    path: FUNCTIONS,
    action: 'CreateFunction',
    body,
    status,
    code,
    field,
  });
  const session = (name: string, body: unknown, field: string): Case => ({
    name: `CreateSession: ${name}`,
    method: 'POST',
    path: SESSIONS,
    action: 'CreateSession',
    body,
    status: 400,
    code: 'InvalidArgument',
    field,
  });
  const get = (name: string, path: string, action: string, field: string, code = 'InvalidArgument', status = 400) => ({
    name: `${action}: ${name}`,
    method: 'GET',
    path,
    action,
    status,
    code,
    field,
  });
  const invoke = (name: string, headers: Record<string, string>, field: string): Case => ({
    name: `InvokeFunction: ${name}`,
    method: 'POST',
    path: `${FUNCTIONS}/${FN}/invocations`,
    action: 'InvokeFunction',
    body: 'hi',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    status: 400,
    code: 'InvalidArgument',
    field,
  });
  return [
    create('truncated JSON', '{"functionName":', 'JSON'),
    create('200,000 nested [ (closed)', nested(200_000, '[', ']'), 'JSON object'),
    create('200,000 nested [ (open)', '['.repeat(200_000), 'JSON'),
    create('100,000 nested objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 'functionName'),
    create('a JSON array', '[]', 'JSON object'),
    create('JSON null', 'null', 'JSON object'),
    create('a JSON string', '"x"', 'JSON object'),
    create('not JSON text', '\u00ff\u00fe', 'JSON'),
    create('no functionName', { ...fn({}), functionName: undefined }, 'functionName'),
    create('functionName a number', fn({ functionName: 7 }), 'functionName'),
    create('functionName too long', fn({ functionName: `f${'x'.repeat(200)}` }), 'functionName'),
    create('functionName with a space', fn({ functionName: 'a b' }), 'functionName'),
    create('runtime python', fn({ runtime: 'python3.10' }), 'runtime'),
    create('runtime a number', fn({ runtime: 20 }), 'runtime'),
    create('no handler', fn({ handler: undefined }), 'handler'),
    create('handler with ../', fn({ handler: `a/../../../../../../../..${outside}/evil.handler` }), 'handler'),
    create('handler absolute', fn({ handler: `${outside}/evil.handler` }), 'handler'),
    create(
      'a chain of symlinks leaving the folder',
      fn({
        handler: 'esc/evil.handler',
        code: { zipFile: zipWithSymlinks({ 'index.js': NODE_HANDLER }, { 'a/b': '..', l: 'a/b', esc: 'l/..' }) },
      }),
      'symlink',
    ),
    create(
      'a symlink to an absolute path outside',
      fn({
        handler: 'ext/evil.handler',
        code: { zipFile: zipWithSymlinks({ 'index.js': NODE_HANDLER }, { ext: outside }) },
      }),
      'symlink',
    ),
    create(
      'initializer handler with ../',
      fn({ instanceLifecycleConfig: { initializer: { handler: '../x.init' } } }),
      'initializer.handler',
    ),
    create(
      'preStop handler with ../',
      fn({ instanceLifecycleConfig: { preStop: { handler: 'a/../../x.stop' } } }),
      'preStop.handler',
    ),
    create('handler with a control character', fn({ handler: 'index.\u0001' }), 'handler'),
    create('memorySize a string', fn({ memorySize: '512' }), 'memorySize'),
    create('memorySize not a multiple of 64', fn({ memorySize: 100 }), 'memorySize'),
    create('memorySize negative', fn({ memorySize: -64 }), 'memorySize'),
    create('timeout 0', fn({ timeout: 0 }), 'timeout'),
    create('timeout too large', fn({ timeout: 86401 }), 'timeout'),
    create('timeout a float', fn({ timeout: 1.5 }), 'timeout'),
    create('instanceConcurrency 0', fn({ instanceConcurrency: 0 }), 'instanceConcurrency'),
    create('environmentVariables an array', fn({ environmentVariables: [] }), 'environmentVariables'),
    create('environmentVariables value a number', fn({ environmentVariables: { A: 1 } }), 'environmentVariables.A'),
    create('environmentVariables FC_ name', fn({ environmentVariables: { FC_X: '1' } }), 'environmentVariables'),
    create('no code', fn({ code: undefined }), 'code.zipFile'),
    create('code a string', fn({ code: 'zip' }), 'code'),
    create('code.zipFile not base64', fn({ code: { zipFile: '!!!' } }), 'code.zipFile'),
    create(
      'code.zipFile not a zip',
      fn({ code: { zipFile: Buffer.from('hello').toString('base64') } }),
      'code.zipFile',
    ),
    create('code.zipFile a number', fn({ code: { zipFile: 5 } }), 'code.zipFile'),
    create('code from OSS', fn({ code: { ossBucketName: 'b', ossObjectName: 'o' } }), 'code.ossBucketName'),
    create('a zip path leaving the folder', fn({ code: { zipFile: zipOf({ '../x.js': 'x' }) } }), 'code.zipFile'),
    create(
      'a zip symlink leaving the folder',
      fn({ code: { zipFile: zipWithSymlinks({ 'index.js': NODE_HANDLER }, { up: '../../..' }) } }),
      'symlink',
    ),
    create('sessionAffinity unknown', fn({ sessionAffinity: 'STICKY' }), 'sessionAffinity'),
    create(
      'sessionAffinityConfig not JSON',
      fn({ sessionAffinity: 'HEADER_FIELD', sessionAffinityConfig: '{' }),
      'sessionAffinityConfig',
    ),
    create('sessionAffinityConfig an object', fn({ sessionAffinityConfig: { a: 1 } }), 'sessionAffinityConfig'),
    create(
      'customRuntimeConfig.command a string',
      fn({ runtime: 'custom', customRuntimeConfig: { command: 'x' } }),
      'customRuntimeConfig.command',
    ),
    create(
      'customRuntimeConfig.port a string',
      fn({ runtime: 'custom', customRuntimeConfig: { port: '9000' } }),
      'customRuntimeConfig.port',
    ),
    create('description too long', fn({ description: 'x'.repeat(300) }), 'description'),
    create('already exists', fn({ functionName: FN }), FN, 'FunctionAlreadyExists', 409),
    {
      name: 'UpdateFunction: memorySize',
      method: 'PUT',
      path: `${FUNCTIONS}/${FN}`,
      action: 'UpdateFunction',
      body: { memorySize: 1 },
      status: 400,
      code: 'InvalidArgument',
      field: 'memorySize',
    },
    {
      name: 'UpdateFunction: handler with ../',
      method: 'PUT',
      path: `${FUNCTIONS}/${FN}`,
      action: 'UpdateFunction',
      body: { handler: '../../x.handler' },
      status: 400,
      code: 'InvalidArgument',
      field: 'handler',
    },
    {
      name: 'UpdateFunction: nested [',
      method: 'PUT',
      path: `${FUNCTIONS}/${FN}`,
      action: 'UpdateFunction',
      body: nested(200_000, '[', ']'),
      status: 400,
      code: 'InvalidArgument',
      field: 'JSON object',
    },
    session('sessionTTLInSeconds 0', { sessionTTLInSeconds: 0 }, 'sessionTTLInSeconds'),
    session('sessionTTLInSeconds a string', { sessionTTLInSeconds: '60' }, 'sessionTTLInSeconds'),
    session('sessionTTLInSeconds too large', { sessionTTLInSeconds: 21601 }, 'sessionTTLInSeconds'),
    session('sessionIdleTimeoutInSeconds -1', { sessionIdleTimeoutInSeconds: -1 }, 'sessionIdleTimeoutInSeconds'),
    session('sessionId with a slash', { sessionId: 'a/b' }, 'sessionId'),
    session('sessionId starting with -', { sessionId: '-a' }, 'sessionId'),
    session('sessionId too long', { sessionId: 'a'.repeat(65) }, 'sessionId'),
    session('disableSessionIdReuse a string', { disableSessionIdReuse: 'yes' }, 'disableSessionIdReuse'),
    session('nasConfig an array', { nasConfig: [] }, 'nasConfig'),
    session('a JSON array body', [], 'JSON object'),
    session('nested [', nested(200_000, '[', ']'), 'JSON object'),
    {
      name: 'CreateSession: unknown function',
      method: 'POST',
      path: `${FUNCTIONS}/nobody/sessions`,
      action: 'CreateSession',
      body: {},
      status: 404,
      code: 'FunctionNotFound',
      field: 'nobody',
    },
    {
      name: 'UpdateSession: sessionTTLInSeconds',
      method: 'PUT',
      path: `${SESSIONS}/s1`,
      action: 'UpdateSession',
      body: { sessionTTLInSeconds: -5 },
      status: 400,
      code: 'InvalidArgument',
      field: 'sessionTTLInSeconds',
    },
    {
      name: 'PauseSession: unknown session',
      method: 'PUT',
      path: `${SESSIONS}/nobody/pause`,
      action: 'PauseSession',
      status: 404,
      code: 'SessionNotFound',
      field: 'nobody',
    },
    {
      name: 'ResumeSession: fileSystemOnly not a boolean',
      method: 'PUT',
      path: `${SESSIONS}/s1/resume?fileSystemOnly=maybe`,
      action: 'ResumeSession',
      status: 400,
      code: 'InvalidArgument',
      field: 'fileSystemOnly',
    },
    get('session id malformed percent-encoding', `${SESSIONS}/%E0%A4%A`, 'GetSession', '%E0%A4%A'),
    get('limit 0', `${SESSIONS}?limit=0`, 'ListSessions', 'limit'),
    get('limit not a number', `${SESSIONS}?limit=abc`, 'ListSessions', 'limit'),
    get('sessionStatus unknown', `${SESSIONS}?sessionStatus=Sleeping`, 'ListSessions', 'sessionStatus'),
    get(
      'sessionStatus twice',
      `${SESSIONS}?sessionStatus=Active&sessionStatus=Paused`,
      'ListSessions',
      'sessionStatus',
    ),
    get('limit 101', `${FUNCTIONS}?limit=101`, 'ListFunctions', 'limit'),
    get('limit -1', `${FUNCTIONS}?limit=-1`, 'ListFunctions', 'limit'),
    get('query malformed percent-encoding', `${FUNCTIONS}?prefix=%E0%A4%A`, 'ListFunctions', 'query'),
    get('name malformed percent-encoding', `${FUNCTIONS}/%E0%A4%A`, 'GetFunction', '%E0%A4%A'),
    get('unknown function', `${FUNCTIONS}/nobody`, 'GetFunction', 'nobody', 'FunctionNotFound', 404),
    get('a version qualifier', `${FUNCTIONS}/${FN}?qualifier=1`, 'GetFunction', '"1"', 'VersionNotFound', 404),
    get('an unserved API', '/2023-03-30/custom-domains', 'ListCustomDomains', 'custom-domains', 'NotSupported', 404),
    invoke('x-fc-invocation-type unknown', { 'x-fc-invocation-type': 'Later' }, 'x-fc-invocation-type'),
    invoke('x-fc-log-type unknown', { 'x-fc-log-type': 'All' }, 'x-fc-log-type'),
    invoke(
      'x-fc-async-delay not a number',
      { 'x-fc-invocation-type': 'Async', 'x-fc-async-delay': 'soon' },
      'x-fc-async-delay',
    ),
    invoke(
      'x-fc-async-delay too large',
      { 'x-fc-invocation-type': 'Async', 'x-fc-async-delay': '99999' },
      'x-fc-async-delay',
    ),
    {
      name: 'InvokeFunction: payload over the limit',
      method: 'POST',
      path: `${FUNCTIONS}/${FN}/invocations`,
      action: 'InvokeFunction',
      body: 'x'.repeat(2048),
      headers: { 'content-type': 'application/octet-stream' },
      status: 400,
      code: 'EntityTooLarge',
      field: 'payload',
    },
    {
      name: 'InvokeFunction: a session header naming a bad id',
      method: 'POST',
      path: `${FUNCTIONS}/${FN}/invocations`,
      action: 'InvokeFunction',
      body: 'hi',
      headers: { 'content-type': 'application/octet-stream', 'x-session-id': 'bad/id' },
      status: 400,
      code: 'InvalidArgument',
      field: 'session id "bad/id"',
    },
    {
      name: 'HTTP trigger: malformed percent-encoding in the function name',
      method: 'GET',
      path: '/http/%E0%A4%A/',
      sign: false,
      status: 400,
      code: 'InvalidArgument',
      field: '%E0%A4%A',
    },
    {
      name: 'HTTP trigger: malformed name, no trailing slash',
      method: 'POST',
      path: '/http/%zz',
      sign: false,
      status: 400,
      code: 'InvalidArgument',
      field: '%zz',
    },
    {
      name: 'HTTP trigger: unknown function',
      method: 'GET',
      path: '/http/nobody/',
      sign: false,
      status: 404,
      code: 'FunctionNotFound',
      field: 'nobody',
    },
    {
      name: 'FC 2.0: malformed percent-encoding in the service',
      method: 'POST',
      path: '/2016-08-15/services/%E0%A4%A/functions/f/invocations',
      body: 'x',
      sign: 'fc2',
      status: 400,
      code: 'InvalidArgument',
      field: '%E0%A4%A',
    },
    {
      name: 'FC 2.0: unsigned',
      method: 'POST',
      path: '/2016-08-15/services/s/functions/f/invocations',
      body: 'x',
      sign: false,
      status: 403,
      code: 'MissingAuthorization',
      field: 'authorization',
    },
    {
      name: 'FC 2.0: not the invoke path',
      method: 'GET',
      path: '/2016-08-15/services',
      sign: false,
      status: 404,
      code: 'NotSupported',
      field: '/2016-08-15/services',
    },
    {
      name: 'auth: no signature',
      method: 'GET',
      path: FUNCTIONS,
      sign: false,
      status: 403,
      code: 'MissingAuthorization',
      field: 'authorization',
    },
    {
      name: 'auth: a garbage authorization header',
      method: 'GET',
      path: FUNCTIONS,
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
      sign: false,
      status: 403,
      code: 'InvalidAuthorization',
      field: 'authorization',
    },
    {
      name: 'auth: an unknown key',
      method: 'GET',
      path: FUNCTIONS,
      headers: {
        authorization: 'ACS3-HMAC-SHA256 Credential=nobody,SignedHeaders=host;x-acs-date,Signature=00',
      },
      sign: false,
      status: 403,
      code: 'InvalidAccessKeyID',
      field: 'access key',
    },
    {
      name: 'auth: no x-acs-date',
      method: 'GET',
      path: FUNCTIONS,
      headers: {
        authorization: 'ACS3-HMAC-SHA256 Credential=fcsEmulatorAccessKeyId0001,SignedHeaders=host,Signature=00',
        host: 'x',
      },
      sign: false,
      status: 400,
      code: 'MissingRequiredHeader',
      field: 'x-acs-date',
    },
    {
      name: 'no such route',
      method: 'GET',
      path: '/nowhere',
      sign: false,
      status: 404,
      code: 'NotFound',
      field: '/nowhere',
    },
  ];
}

describe('every malformed input answers 4xx in FC error shape, naming the field', () => {
  let t: TestEmulator;
  let outside: string;
  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'fcs-outside-'));
    await writeFile(join(outside, 'evil.js'), 'exports.handler = async () => "escaped";');
    t = await startTestEmulator({ limits: { syncPayloadBytes: 1024 } });
    await deploySessionFunction(t.emulator, FN);
  });
  afterAll(async () => {
    await t?.stop();
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  const sendCase = (c: Case): Promise<RawResponse> => {
    const body = c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const request: RawRequest = { method: c.method, path: c.path, ...(body === undefined ? {} : { body }) };
    if (c.sign === false) return send(t.emulator.endpoint, { ...request, headers: c.headers ?? {} });
    if (c.sign === 'fc2') {
      const headers = fc2Headers(t.emulator.accountId, t.emulator.credentials, c.path, body ?? '');
      return send(t.emulator.endpoint, { ...request, headers });
    }
    const headers = acs3Headers(t.emulator.endpoint, t.emulator.credentials, {
      ...request,
      action: c.action ?? 'Unknown',
      ...(c.headers ? { headers: c.headers } : {}),
    });
    return send(t.emulator.endpoint, { ...request, headers });
  };

  it('has at least 60 cases', () => {
    expect(cases('/tmp').length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases('/tmp/placeholder').map((c) => [c.name, c] as const))('%s', async (_name, template) => {
    const c = cases(outside).find((candidate) => candidate.name === template.name)!;
    const response = await sendCase(c);
    const body = response.json();
    const fc2 = c.path.startsWith('/2016-08-15/');
    const code = fc2 ? body['errorCode'] : body['Code'];
    const message = String(fc2 ? body['errorMessage'] : body['Message']);
    expect({ status: response.status, code }).toEqual({ status: c.status, code: c.code });
    expect(message).toContain(c.field);
    if (!fc2) expect(body['RequestId']).toMatch(/^1-/);
  });

  it('never loads the handler from outside the code folder', async () => {
    const listed = await sendCase({
      name: 'list',
      method: 'GET',
      path: FUNCTIONS,
      action: 'ListFunctions',
      status: 200,
      code: '',
      field: '',
    });
    const names = listed.json<{ functions: Array<{ functionName: string }> }>().functions.map((f) => f.functionName);
    expect(names).toEqual([FN]);
  });

  it('answers a request line node:http cannot parse with 400, not a hang', async () => {
    const { port } = new URL(t.emulator.endpoint);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.write('GET /\u0000 HTTP/1.1\r\nhost: x\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });
});
