import { FUNCTION_TIMEOUT } from '@fc-sessions/client/limits';
import { invalidArgument } from '../errors.js';
import { checkHandlerText } from '../functions/code-paths.js';
import { AFFINITY_TYPES, type Affinity, type AffinityType, parseAffinity } from './affinity.js';
import {
  arrayOf,
  boolean,
  type Check,
  integer,
  isPlainObject,
  number,
  object,
  type Parsed,
  parseFields,
  string,
} from './validate.js';

/** Runtimes the emulator can run: every `nodejs*` on the local Node.js, and custom runtimes as local commands. */
export const RUNNABLE_RUNTIMES = [
  'nodejs14',
  'nodejs16',
  'nodejs18',
  'nodejs20',
  'custom',
  'custom.debian10',
  'custom.debian11',
  'custom.debian12',
] as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the handler is sent to instances as a header value.
const NO_CONTROL_CHARACTERS = /^[^\x00-\x1f\x7f]+$/;

/** FC 3.0 names, plus `<service>$<function>`: how an FC 2.0 function appears in FC 3.0 (a guess). */
export const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}(?:\$[A-Za-z_][A-Za-z0-9_-]{0,127})?$/;

/** Values FC fills in when CreateFunction leaves them out (memory size and timeout are guesses). */
export const FUNCTION_DEFAULTS = {
  memorySize: 512,
  timeout: 3,
  instanceConcurrency: 1,
  sessionAffinity: 'NONE',
  description: '',
  environmentVariables: {},
  internetAccess: true,
} as const;

const anyObject: Check<Record<string, unknown>> = (value, field) => {
  if (!isPlainObject(value)) throw invalidArgument(`${field} must be an object`);
  return value;
};

const anyArray: Check<unknown[]> = (value, field) => {
  if (!Array.isArray(value)) throw invalidArgument(`${field} must be an array`);
  return value;
};

const hook = object({
  handler: string({ minLength: 1, maxLength: 128 }),
  timeout: integer(1, 600),
  command: arrayOf(string({ maxLength: 4096 }), 64),
});

const envName = string({
  pattern: /^(?!FC_)[A-Za-z_][A-Za-z0-9_]*$/,
  patternText: 'a variable name ([A-Za-z_][A-Za-z0-9_]*) that does not start with FC_',
  maxLength: 128,
});

const memorySize: Check<number> = (value, field) => {
  const size = integer(64, 32768)(value, field);
  if (size % 64 !== 0) throw invalidArgument(`${field} must be a multiple of 64 in [64, 32768]; got ${size}`);
  return size;
};

/** Fields CreateFunction and UpdateFunction accept (besides `code`); unknown fields are ignored. */
const updatableShape = {
  runtime: string({ oneOf: RUNNABLE_RUNTIMES }),
  handler: string({
    minLength: 1,
    maxLength: 128,
    pattern: NO_CONTROL_CHARACTERS,
    patternText: 'text without control characters',
  }),
  description: string({ maxLength: 256 }),
  memorySize,
  timeout: integer(FUNCTION_TIMEOUT.min, FUNCTION_TIMEOUT.max),
  instanceConcurrency: integer(1, 200),
  cpu: number(0.05, 16),
  diskSize: integer(512, 10240),
  environmentVariables: (value: unknown, field: string) => {
    if (!isPlainObject(value)) throw invalidArgument(`${field} must be an object of string values`);
    const out: Record<string, string> = {};
    let bytes = 0;
    for (const [name, entry] of Object.entries(value)) {
      envName(name, `${field} key`);
      if (typeof entry !== 'string') throw invalidArgument(`${field}.${name} must be a string`);
      bytes += Buffer.byteLength(name) + Buffer.byteLength(entry);
      out[name] = entry;
    }
    if (bytes > 4096) throw invalidArgument(`${field} must hold at most 4096 bytes of names and values; got ${bytes}`);
    return out;
  },
  customRuntimeConfig: object({
    command: arrayOf(string({ maxLength: 4096 }), 64),
    args: arrayOf(string({ maxLength: 4096 }), 256),
    port: integer(1, 65535),
    healthCheckConfig: anyObject,
  }),
  instanceLifecycleConfig: object({ initializer: hook, preStop: hook }),
  sessionAffinity: string({ oneOf: AFFINITY_TYPES }),
  sessionAffinityConfig: string({ maxLength: 4096 }),
  role: string({ maxLength: 300 }),
  internetAccess: boolean,
  disableOndemand: boolean,
  enableLongLiving: boolean,
  disableInjectCredentials: string({ maxLength: 16 }),
  idleTimeout: integer(0, 86400),
  instanceIsolationMode: string({ maxLength: 64 }),
  layers: arrayOf(string({ maxLength: 512 }), 5),
  logConfig: anyObject,
  vpcConfig: anyObject,
  nasConfig: anyObject,
  ossMountConfig: anyObject,
  polarFsConfig: anyObject,
  juiceFsConfig: anyObject,
  tracingConfig: anyObject,
  customDNS: anyObject,
  customContainerConfig: anyObject,
  gpuConfig: anyObject,
};

const createShape = {
  ...updatableShape,
  functionName: string({
    pattern: FUNCTION_NAME,
    patternText:
      '1-128 characters of letters, digits, "_" and "-", starting with a letter or "_" (or <service>$<function>)',
  }),
  resourceGroupId: string({ maxLength: 128 }),
  tags: anyArray,
};

const codeShape = {
  zipFile: string(),
  checksum: string({ maxLength: 64 }),
  ossBucketName: string(),
  ossObjectName: string(),
};

export type FunctionConfig = Parsed<typeof createShape>;
export type CodeInput = Parsed<typeof codeShape>;

export interface FunctionInput {
  readonly config: FunctionConfig;
  readonly code?: CodeInput;
}

function readCode(input: Record<string, unknown>): CodeInput | undefined {
  if (input['code'] === undefined || input['code'] === null) return undefined;
  if (!isPlainObject(input['code'])) throw invalidArgument('code must be an object with a zipFile (base64 zip)');
  const code = parseFields(codeShape, input['code'], 'code.');
  if (code.ossBucketName || code.ossObjectName) {
    throw invalidArgument('code.ossBucketName/code.ossObjectName are not emulated: send the code as code.zipFile');
  }
  if (!code.zipFile) throw invalidArgument('code.zipFile is required (a base64-encoded zip)');
  return code;
}

/** Validates a CreateFunction body: every known field's type and range, required fields, affinity. */
export function parseCreateFunction(input: Record<string, unknown>): FunctionInput {
  const config = parseFields(createShape, input);
  if (!config.functionName) throw invalidArgument('functionName is required');
  if (!config.runtime) throw invalidArgument(`runtime is required (one of ${RUNNABLE_RUNTIMES.join(', ')})`);
  if (!config.handler) throw invalidArgument('handler is required');
  const code = readCode(input);
  if (!code) throw invalidArgument('code.zipFile is required (a base64-encoded zip)');
  const merged = { ...FUNCTION_DEFAULTS, ...config };
  checkRunnable(merged);
  return { config: merged, code };
}

/** Validates an UpdateFunction body and merges it over the current configuration. */
export function parseUpdateFunction(current: FunctionConfig, input: Record<string, unknown>): FunctionInput {
  if (input['functionName'] !== undefined && input['functionName'] !== current.functionName) {
    throw invalidArgument('functionName cannot be changed by UpdateFunction');
  }
  const changes = parseFields(updatableShape, input);
  const merged = { ...current, ...changes };
  checkRunnable(merged);
  const code = readCode(input);
  return code ? { config: merged, code } : { config: merged };
}

function checkRunnable(config: FunctionConfig): void {
  affinityOf(config);
  checkHandlerText(config);
  if (config.runtime?.startsWith('nodejs') && !/^[^./\\][^\\]*\.[A-Za-z_$][\w$]*$/.test(config.handler ?? '')) {
    throw invalidArgument(
      `handler must look like "<file>.<export>" (e.g. index.handler) for ${config.runtime}; got "${config.handler}"`,
    );
  }
}

export function affinityOf(config: FunctionConfig): Affinity {
  return parseAffinity((config.sessionAffinity ?? 'NONE') as AffinityType, config.sessionAffinityConfig);
}
