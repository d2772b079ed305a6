import { ApiError, invalidArgument } from '../errors.js';
import {
  arrayOf,
  boolean,
  type Check,
  integer,
  isPlainObject,
  object,
  type Parsed,
  parseFields,
  string,
} from './validate.js';

export const SESSION_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

export const sessionId = string({
  pattern: SESSION_ID,
  patternText: '1-64 characters of letters, digits, "_" and "-", not starting with "-"',
});

const anyObject: Check<Record<string, unknown>> = (value, field) => {
  if (!isPlainObject(value)) throw invalidArgument(`${field} must be an object`);
  return value;
};

const mountDir = string({ pattern: /^\/[^\0]*$/, patternText: 'an absolute path', maxLength: 1024 });

const nasConfig = object({
  userId: integer(-1, 65535),
  groupId: integer(-1, 65535),
  mountPoints: arrayOf(object({ serverAddr: string({ maxLength: 1024 }), mountDir, enableTLS: boolean }), 5),
});

const ossMountConfig = object({
  mountPoints: arrayOf(
    object({
      bucketName: string({ maxLength: 63 }),
      bucketPath: string({ maxLength: 1024 }),
      endpoint: string({ maxLength: 1024 }),
      mountDir,
      readOnly: boolean,
    }),
    5,
  ),
});

const updateShape = {
  sessionTTLInSeconds: integer(1, 21600),
  sessionIdleTimeoutInSeconds: integer(0, 21600),
  disableSessionIdReuse: boolean,
  nasConfig,
  ossMountConfig,
  polarFsConfig: anyObject,
  juiceFsConfig: anyObject,
};

const createShape = { ...updateShape, sessionId };

export type CreateSessionInput = Parsed<typeof createShape>;
export type UpdateSessionInput = Parsed<typeof updateShape>;
export type MountConfigs = Pick<UpdateSessionInput, 'nasConfig' | 'ossMountConfig' | 'polarFsConfig' | 'juiceFsConfig'>;

export const parseCreateSession = (input: Record<string, unknown>): CreateSessionInput =>
  parseFields(createShape, input);
export const parseUpdateSession = (input: Record<string, unknown>): UpdateSessionInput =>
  parseFields(updateShape, input);

/** `qualifier`: the emulator serves only LATEST; versions and aliases are 404s, like FC for unknown ones. */
export function checkQualifier(qualifier: string | null | undefined): void {
  if (qualifier === null || qualifier === undefined || qualifier === '' || qualifier === 'LATEST') return;
  if (/^\d+$/.test(qualifier)) {
    throw new ApiError(
      404,
      'VersionNotFound',
      `version "${qualifier}" does not exist (the emulator serves LATEST only)`,
    );
  }
  throw new ApiError(404, 'AliasNotFound', `alias "${qualifier}" does not exist (the emulator serves LATEST only)`);
}
