import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './helpers/api.js';
import { startTestEmulator, type TestEmulator } from './helpers/emulator.js';
import { fc, sdkFor } from './helpers/sdk.js';
import { acs3Headers, send, sendAdmin, sendSigned } from './helpers/raw.js';

const LIST = { method: 'GET', path: '/2023-03-30/functions?limit=5', action: 'ListFunctions' };

describe('request authentication', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const expectDenied = async (response: Awaited<ReturnType<typeof send>>, code: string) => {
    expect(response.status).toBe(403);
    const body = response.json();
    expect(body['Code']).toBe(code);
    expect(String(body['Message'])).not.toHaveLength(0);
    expect(body['RequestId']).toMatch(/^1-[0-9a-f]+-[0-9a-f]{8}-[0-9a-f]{12}$/);
  };

  it('accepts a correctly signed request', async () => {
    const response = await sendSigned(t.emulator.endpoint, t.emulator.credentials, LIST);
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ functions: [] });
  });

  it('rejects a request without a signature', async () => {
    await expectDenied(await send(t.emulator.endpoint, { method: 'GET', path: LIST.path }), 'MissingAuthorization');
  });

  it('rejects an unknown access key and a wrong secret', async () => {
    const { accessKeyId } = t.emulator.credentials;
    await expectDenied(
      await sendSigned(t.emulator.endpoint, { accessKeyId: 'nobody', accessKeySecret: 'x' }, LIST),
      'InvalidAccessKeyID',
    );
    await expectDenied(
      await sendSigned(t.emulator.endpoint, { accessKeyId, accessKeySecret: 'wrong-secret' }, LIST),
      'SignatureNotMatch',
    );
  });

  it('rejects a tampered body, query or signed header', async () => {
    const request = {
      method: 'POST',
      path: '/2023-03-30/functions',
      action: 'CreateFunction',
      body: '{"functionName":"a"}',
    };
    const headers = acs3Headers(t.emulator.endpoint, t.emulator.credentials, request);
    await expectDenied(
      await send(t.emulator.endpoint, { ...request, headers, body: '{"functionName":"b"}' }),
      'SignatureNotMatch',
    );

    const listHeaders = acs3Headers(t.emulator.endpoint, t.emulator.credentials, LIST);
    await expectDenied(
      await send(t.emulator.endpoint, { ...LIST, path: '/2023-03-30/functions?limit=6', headers: listHeaders }),
      'SignatureNotMatch',
    );

    const renamed = {
      ...acs3Headers(t.emulator.endpoint, t.emulator.credentials, LIST),
      'x-acs-action': 'DeleteFunction',
    };
    await expectDenied(await send(t.emulator.endpoint, { ...LIST, headers: renamed }), 'SignatureNotMatch');
  });

  it('rejects a clock more than 15 minutes away and accepts one 14 minutes away', async () => {
    const far = new Date(Date.now() - 16 * 60_000);
    await expectDenied(
      await sendSigned(t.emulator.endpoint, t.emulator.credentials, { ...LIST, date: far }),
      'InvalidTimeStamp.Expired',
    );
    const near = new Date(Date.now() + 14 * 60_000);
    expect((await sendSigned(t.emulator.endpoint, t.emulator.credentials, { ...LIST, date: near })).status).toBe(200);
  });

  it('rejects a replayed nonce', async () => {
    const headers = acs3Headers(t.emulator.endpoint, t.emulator.credentials, { ...LIST, nonce: 'replayed-nonce-1' });
    expect((await send(t.emulator.endpoint, { ...LIST, headers })).status).toBe(200);
    await expectDenied(await send(t.emulator.endpoint, { ...LIST, headers }), 'SignatureNonceUsed');
  });

  it('accepts STS keys with their token and rejects them without it or with another', async () => {
    const minted = (await sendAdmin(t.emulator, 'POST', '/_emulator/sts', '{"durationSeconds":600}')).json<{
      accessKeyId: string;
      accessKeySecret: string;
      securityToken: string;
    }>();
    expect(minted.accessKeyId).toMatch(/^STS\./);
    expect((await sendSigned(t.emulator.endpoint, minted, LIST)).status).toBe(200);
    const { securityToken: _, ...withoutToken } = minted;
    await expectDenied(await sendSigned(t.emulator.endpoint, withoutToken, LIST), 'InvalidSecurityToken.Missing');
    await expectDenied(
      await sendSigned(t.emulator.endpoint, { ...minted, securityToken: 'CAISother' }, LIST),
      'InvalidSecurityToken.Mismatch',
    );

    const sdk = sdkFor(t.emulator.endpoint, minted);
    const listed = await sdk.listFunctions(new fc.ListFunctionsRequest({}));
    expect(listed.statusCode).toBe(200);
  });

  it('answers JSON errors for malformed bodies and names the field for bad values', async () => {
    const broken = await call(t.emulator, 'POST', '/2023-03-30/functions', 'CreateFunction', '{"functionName":');
    expect(broken.status).toBe(400);
    expect(broken.json()['Code']).toBe('InvalidArgument');
  });

  it('refuses a repeated query parameter: the signature cannot bind the order of its values', async () => {
    const path = '/2023-03-30/functions?prefix=a&prefix=b';
    const signed = { method: 'GET', path, action: 'ListFunctions' };
    const response = await sendSigned(t.emulator.endpoint, t.emulator.credentials, signed);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ Code: 'InvalidArgument' });
    expect(String(response.json()['Message'])).toContain('prefix');
    const headers = acs3Headers(t.emulator.endpoint, t.emulator.credentials, signed);
    const reordered = await send(t.emulator.endpoint, {
      ...signed,
      path: '/2023-03-30/functions?prefix=b&prefix=a',
      headers,
    });
    expect(reordered.status).toBe(400);
  });

  it('reads a query value the way the signature decoded it: a%2Bb and a+b are the same value', async () => {
    const signed = { method: 'GET', path: '/2023-03-30/functions/f?qualifier=a%2Bb', action: 'GetFunction' };
    const headers = acs3Headers(t.emulator.endpoint, t.emulator.credentials, signed);
    const encoded = await send(t.emulator.endpoint, { ...signed, headers });
    const headersAgain = acs3Headers(t.emulator.endpoint, t.emulator.credentials, signed);
    const plain = await send(t.emulator.endpoint, {
      ...signed,
      path: '/2023-03-30/functions/f?qualifier=a+b',
      headers: headersAgain,
    });
    expect(encoded.json()['Message']).toContain('"a+b"');
    expect(plain.json()['Message']).toBe(encoded.json()['Message']);
  });

  it('answers an unsigned request before its body is sent, and a signed one over the limit likewise', async () => {
    const { port } = new URL(t.emulator.endpoint);
    const answerWithoutBody = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => {
          answer += chunk.toString();
          if (answer.includes('\r\n\r\n')) {
            socket.destroy();
            resolve(answer);
          }
        });
        socket.on('error', reject);
        socket.write(head);
      });
    const unsigned = await answerWithoutBody(
      'POST /2023-03-30/functions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 136314880\r\n\r\n',
    );
    expect(unsigned).toMatch(/^HTTP\/1\.1 403 /);

    const request = { method: 'POST', path: '/2023-03-30/functions', action: 'CreateFunction', body: 'x' };
    const headers = acs3Headers(t.emulator.endpoint, t.emulator.credentials, request);
    headers['content-length'] = String(1024 * 1024 * 1024);
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
    const tooLarge = await answerWithoutBody(`POST /2023-03-30/functions HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    expect(tooLarge).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('does not grow while unsigned 130 MB bodies stream in', async () => {
    const { port } = new URL(t.emulator.endpoint);
    const chunk = Buffer.alloc(1024 * 1024, 120);
    const before = process.memoryUsage().rss;
    const post = () =>
      new Promise<number>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1');
        let sent = 0;
        let answered = false;
        socket.on('data', () => {
          answered = true;
          socket.destroy();
          resolve(sent);
        });
        socket.on('error', () => resolve(sent));
        socket.on('close', () => resolve(sent));
        socket.write('POST /2023-03-30/functions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
        const pump = () => {
          while (!answered && sent < 130 * 1024 * 1024) {
            sent += chunk.length;
            if (!socket.write(`${chunk.length.toString(16)}\r\n`) || !socket.write(chunk) || !socket.write('\r\n')) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
    const sent = await Promise.all([post(), post(), post(), post()]);
    const grown = process.memoryUsage().rss - before;
    expect(grown).toBeLessThan(100 * 1024 * 1024);
    for (const bytes of sent) expect(bytes).toBeLessThan(130 * 1024 * 1024);
  });
});
