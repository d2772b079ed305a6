import {
  MOUNT_POINTS_MAX,
  MOUNT_POSIX_ID,
  MOUNT_TEXT_MAX_LENGTH,
  OSS_BUCKET_NAME_MAX_LENGTH,
  SESSION_IDLE_TIMEOUT,
  SESSION_TTL,
} from '@fc-sessions/client/limits';
import { invalidArgument } from '../errors.js';
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

const mountDir = string({ pattern: /^\/[^\0]*$/, patternText: 'an absolute path', maxLength: MOUNT_TEXT_MAX_LENGTH });
const mountText = string({ maxLength: MOUNT_TEXT_MAX_LENGTH });
const posixId = integer(MOUNT_POSIX_ID.min, MOUNT_POSIX_ID.max);

const nasConfig = object({
  userId: posixId,
  groupId: posixId,
  mountPoints: arrayOf(object({ serverAddr: mountText, mountDir, enableTLS: boolean }), MOUNT_POINTS_MAX),
});

const ossMountConfig = object({
  mountPoints: arrayOf(
    object({
      bucketName: string({ maxLength: OSS_BUCKET_NAME_MAX_LENGTH }),
      bucketPath: mountText,
      endpoint: mountText,
      mountDir,
      readOnly: boolean,
    }),
    MOUNT_POINTS_MAX,
  ),
});

const polarFsConfig = object({
  userId: posixId,
  groupId: posixId,
  mountPoints: arrayOf(
    object({ instanceId: mountText, mountDir, remoteDir: mountText, readOnly: boolean }),
    MOUNT_POINTS_MAX,
  ),
});

const updateShape = {
  sessionTTLInSeconds: integer(SESSION_TTL.min, SESSION_TTL.max),
  sessionIdleTimeoutInSeconds: integer(SESSION_IDLE_TIMEOUT.min, SESSION_IDLE_TIMEOUT.max),
  disableSessionIdReuse: boolean,
  nasConfig,
  ossMountConfig,
  polarFsConfig,
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
