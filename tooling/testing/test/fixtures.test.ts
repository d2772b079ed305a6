import { describe, expect, it } from 'vitest';
import {
  FAKE_CREDENTIALS,
  FC2_REQUEST_ID,
  fakeContext,
  fc2Env,
  fc2Headers,
  fc3AsyncTaskHeaders,
  fc3Env,
  fc3Headers,
  fc3HttpHeaders,
  httpTriggerEvent,
  REQUEST_ID,
  vectors,
} from '../src/index.js';

const requestIdPattern = /^1-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{12}$/;

describe('header sets', () => {
  it('use FC request ids', () => {
    expect(REQUEST_ID).toMatch(requestIdPattern);
    expect(FC2_REQUEST_ID).toMatch(requestIdPattern);
    expect(fc3Headers['x-fc-request-id']).toBe(REQUEST_ID);
    expect(fc2Headers['x-fc-request-id']).toBe(FC2_REQUEST_ID);
  });

  it('are lower-case, string-valued and frozen', () => {
    for (const headers of [fc3Headers, fc3HttpHeaders, fc3AsyncTaskHeaders, fc2Headers]) {
      expect(Object.isFrozen(headers)).toBe(true);
      for (const [name, value] of Object.entries(headers)) {
        expect(name).toBe(name.toLowerCase());
        expect(typeof value).toBe('string');
      }
    }
  });

  it('carry the control path of their kind of call', () => {
    expect(fc3Headers['x-fc-control-path']).toBe('/invoke');
    expect(fc3HttpHeaders['x-fc-control-path']).toBe('/http-invoke');
    expect(fc2Headers['x-fc-stateful-async-invocation-id']).toBeTruthy();
    expect(fc3AsyncTaskHeaders['x-fc-async-task-id']).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/);
  });

  it('use long fake credentials', () => {
    expect(FAKE_CREDENTIALS.accessKeySecret.length).toBeGreaterThan(30);
    expect(FAKE_CREDENTIALS.securityToken.length).toBeGreaterThan(200);
    expect(fc3Headers['x-fc-access-key-secret']).toBe(FAKE_CREDENTIALS.accessKeySecret);
  });
});

describe('fakeContext', () => {
  it('is deeply frozen', () => {
    expect(Object.isFrozen(fakeContext)).toBe(true);
    expect(Object.isFrozen(fakeContext.function)).toBe(true);
    expect(Object.isFrozen(fakeContext.credentials)).toBe(true);
  });

  it('describes the same invocation as fc3Headers', () => {
    expect(fakeContext.requestId).toBe(fc3Headers['x-fc-request-id']);
    expect(fakeContext.function.name).toBe(fc3Headers['x-fc-function-name']);
    expect(String(fakeContext.function.memory)).toBe(fc3Headers['x-fc-function-memory']);
    expect(fakeContext.service.logStore).toBe(fc3Headers['x-fc-service-logstore']);
  });
});

describe('httpTriggerEvent', () => {
  it('is a v1 event whose body decodes to JSON', () => {
    expect(httpTriggerEvent.version).toBe('v1');
    expect(JSON.parse(Buffer.from(httpTriggerEvent.body, 'base64').toString('utf8'))).toEqual({ sku: 'a-1', qty: 2 });
    expect(httpTriggerEvent.requestContext.requestId).toMatch(requestIdPattern);
  });
});

describe('env sets', () => {
  it('name FC variables only (user variables may not start with FC_)', () => {
    for (const env of [fc3Env, fc2Env]) {
      for (const name of Object.keys(env)) expect(name).toMatch(/^(FC_|ALIBABA_CLOUD_)/);
    }
    expect(fc2Env['FC_SERVICE_NAME']).toBe('shop');
  });
});

describe('vectors', () => {
  it('holds signed cases', () => {
    expect(vectors.cases.length).toBeGreaterThan(0);
    for (const c of vectors.cases) expect(c.headers['authorization']).toMatch(/^ACS3-HMAC-SHA256 Credential=/);
  });
});
