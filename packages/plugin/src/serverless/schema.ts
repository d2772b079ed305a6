import { SESSION_IDLE_TIMEOUT, SESSION_TTL } from '@fc-sessions/client';

/** Keys of custom.fcSessions besides the prefetch options. */
export const SERVICE_KEYS = [
  'functions',
  'endpoint',
  'region',
  'access',
  'manifestDir',
  'maxAttempts',
  'settleSeconds',
] as const;

const mount = { type: 'object', properties: { mountPoints: { type: 'array', items: { type: 'object' } } } };

const prefetch = {
  count: { type: 'integer', minimum: 0, maximum: 1000 },
  qualifier: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$' },
  sessionTTLInSeconds: { type: 'integer', minimum: SESSION_TTL.min, maximum: SESSION_TTL.max },
  sessionIdleTimeoutInSeconds: {
    type: 'integer',
    minimum: SESSION_IDLE_TIMEOUT.min,
    maximum: SESSION_IDLE_TIMEOUT.max,
  },
  disableSessionIdReuse: { type: 'boolean' },
  nasConfig: mount,
  ossMountConfig: mount,
  polarFsConfig: mount,
  idPrefix: { type: 'string', pattern: '^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}$' },
  concurrency: { type: 'integer', minimum: 1, maximum: 64 },
  onFailure: { enum: ['fail', 'warn'] },
  timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
  trim: { type: 'boolean' },
};

/**
 * JSON schema of `custom.fcSessions` for `configSchemaHandler.defineCustomProperties`. osls makes a
 * mismatch an error; serverless 3 only warns, so the plugin checks the same rules again itself.
 */
export const fcSessionsSchema = {
  type: 'object',
  properties: {
    fcSessions: {
      type: 'object',
      properties: {
        ...prefetch,
        functions: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: { ...prefetch, functionName: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]{0,127}$' } },
            additionalProperties: false,
          },
        },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        access: { type: 'string' },
        manifestDir: { type: 'string' },
        maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
        settleSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
      },
      additionalProperties: false,
    },
  },
};
