import { stat, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CREATE_TRIGGER_FIELDS,
  type CreateTriggerInput,
  createTriggerBody,
  type FcClient,
  FcError,
  FUNCTION_TIMEOUT,
  type FunctionConfig,
  type FunctionInput,
  type SessionAffinityConfig,
  validateAffinityHeaderName,
  validateFunctionName,
} from '@fc-sessions/client';
import { canonicalJson } from '@fc-sessions/internals/canonical-json';
import { crc64 } from '@fc-sessions/internals/crc64';
import { choiceOption, integerOption, isPlainObject, objectOption, stringOption } from '../core/check.js';
import { invalidArgument, isNotFound, missingArgument } from '../core/errors.js';
import { keysIn } from '../settings/resolve.js';
import { zipDirectory } from './zip.js';

/** The env var our deploy sets to the affinity header name (contract with @fc-sessions/runtime). */
export const SESSION_HEADER_ENV = 'FCS_SESSION_HEADER';

export interface DeployPlan {
  functionName: string;
  input: FunctionInput;
  /** fc3's `triggers:` prop, checked; created or updated after the function. */
  triggers: CreateTriggerInput[];
  /** Props this component does not deploy (fc3 does): named in a warning. */
  ignored: string[];
}

function affinityConfig(value: unknown): SessionAffinityConfig | undefined {
  const config = objectOption('props.sessionAffinityConfig', value);
  if (config === undefined) return undefined;
  validateAffinityHeaderName(config['affinityHeaderFieldName'], 'props.sessionAffinityConfig.affinityHeaderFieldName');
  return config as SessionAffinityConfig;
}

async function codeOf(value: unknown, baseDir: string): Promise<FunctionInput['code']> {
  if (value === undefined) return undefined;
  if (isPlainObject(value)) {
    if (typeof value['src'] === 'string') return codeOf(value['src'], baseDir);
    const { ossBucketName, ossObjectName } = value;
    if (typeof ossBucketName !== 'string' || typeof ossObjectName !== 'string') {
      throw invalidArgument('props.code', value, 'must be a folder, a .zip file, or {ossBucketName, ossObjectName}');
    }
    return { ossBucketName, ossObjectName };
  }
  const path = resolve(baseDir, stringOption('props.code', value) as string);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw invalidArgument('props.code', value, `must be an existing folder or .zip file (looked at ${path})`);
  }
  if (info.isDirectory()) return { zipFile: (await zipDirectory(path)).toString('base64') };
  if (info.isFile() && path.endsWith('.zip')) return { zipFile: (await readFile(path)).toString('base64') };
  throw invalidArgument('props.code', value, 'must be a folder or a .zip file');
}

/** fc3's `triggers:` prop (a list of the SDK's CreateTriggerInput, `triggerConfig` as a mapping), checked by the client's rules. */
function triggersOf(value: unknown): CreateTriggerInput[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidArgument('props.triggers', value, 'must be a list of triggers');
  return value.map((item: unknown, i) => {
    const field = `props.triggers[${i}]`;
    const trigger = objectOption(field, item) ?? {};
    for (const key of Object.keys(trigger))
      if (!(CREATE_TRIGGER_FIELDS as readonly string[]).includes(key))
        throw invalidArgument(
          `${field}.${key}`,
          trigger[key],
          `is not a trigger field (known: ${CREATE_TRIGGER_FIELDS.join(', ')})`,
        );
    const input = trigger as unknown as CreateTriggerInput;
    try {
      createTriggerBody(input);
    } catch (error) {
      if (!(error instanceof FcError)) throw error;
      throw new FcError({ code: error.code, field: `${field}.${error.field}`, message: `${field}.${error.message}` });
    }
    return input;
  });
}

type PropReader = (value: unknown, field: string, baseDir: string) => unknown;

/**
 * The fc3 function props the component deploys, each read and checked under the SDK's
 * `FunctionInput` field of the same name: a new function field is one entry here.
 */
const FUNCTION_PROP_READERS = {
  description: (value, field) => stringOption(field, value),
  runtime: (value, field) => stringOption(field, value),
  handler: (value, field) => stringOption(field, value),
  memorySize: (value, field) => integerOption(field, value, 64, 32768),
  cpu: (value) => value,
  diskSize: (value, field) => integerOption(field, value, 512, 10240),
  timeout: (value, field) => integerOption(field, value, FUNCTION_TIMEOUT.min, FUNCTION_TIMEOUT.max),
  instanceConcurrency: (value, field) => integerOption(field, value, 1, 200),
  customRuntimeConfig: (value, field) => objectOption(field, value),
  instanceLifecycleConfig: (value, field) => objectOption(field, value),
  internetAccess: (value) => value,
  role: (value, field) => stringOption(field, value),
  layers: (value, field) => {
    if (value !== undefined && !Array.isArray(value)) throw invalidArgument(field, value, 'must be a list');
    return value;
  },
  sessionAffinity: (value, field) =>
    choiceOption(field, value, ['NONE', 'HEADER_FIELD', 'GENERATED_COOKIE', 'MCP_SSE', 'MCP_STREAMABLE']),
  sessionAffinityConfig: (value) => affinityConfig(value),
  environmentVariables: (value, field) => objectOption(field, value),
  code: (value, _field, baseDir) => codeOf(value, baseDir),
} satisfies { [K in keyof FunctionInput]?: PropReader };

/** fc3 props the component deploys; anything else in props is left to fc3 (and reported). */
export const FUNCTION_PROPS: readonly string[] = ['functionName', ...Object.keys(FUNCTION_PROP_READERS), 'triggers'];

/** Turns fc3-style props into a CreateFunction / UpdateFunction body; every check names the prop. */
export async function planDeploy(
  props: Record<string, unknown>,
  baseDir: string,
  functionNameFlag?: string,
): Promise<DeployPlan> {
  const functionName = functionNameFlag ?? props['functionName'];
  if (functionName === undefined) throw missingArgument('props.functionName', 'the function to deploy');
  validateFunctionName(functionName, 'props.functionName');
  const runtime = props['runtime'];
  if (runtime === undefined) throw missingArgument('props.runtime', 'e.g. nodejs20 or custom.debian12');
  const checked: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(FUNCTION_PROP_READERS)) {
    const value = await read(props[key], `props.${key}`, baseDir);
    if (value !== undefined) checked[key] = value;
  }
  const input = checked as FunctionInput;
  const headerName = input.sessionAffinityConfig?.affinityHeaderFieldName;
  if (input.sessionAffinity === 'HEADER_FIELD' && headerName)
    input.environmentVariables = { ...input.environmentVariables, [SESSION_HEADER_ENV]: headerName };
  const known = new Set<string>([...FUNCTION_PROPS, ...keysIn('props')]);
  const triggers = triggersOf(props['triggers']);
  return {
    functionName: functionName as string,
    input,
    triggers,
    ignored: Object.keys(props).filter((key) => !known.has(key)),
  };
}

export interface DeployResult {
  region: string | undefined;
  functionName: string;
  /** `unchanged`: the function already had this code and configuration, so no UpdateFunction was sent. */
  action: 'created' | 'updated' | 'unchanged';
  /** The props whose value differs from the deployed function's (every planned one for a new function). */
  changed: string[];
  runtime: string | undefined;
  handler: string | undefined;
  memorySize: number | undefined;
  timeout: number | undefined;
  instanceConcurrency: number | undefined;
  sessionAffinity: string | undefined;
  sessionAffinityConfig: SessionAffinityConfig | undefined;
  codeChecksum: string | undefined;
  lastModifiedTime: string | undefined;
  triggers: { triggerName: string; triggerType: string; action: 'created' | 'updated' | 'unchanged'; url?: string }[];
}

/**
 * The planned props that differ from `current`: code by its checksum (CRC-64 of the zip, as FC
 * reports `codeChecksum`; code in OSS always counts as changed), the rest by value.
 */
export function changedProps(input: FunctionInput, current: FunctionConfig): string[] {
  const changed: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'code') {
      const zip = (value as FunctionInput['code'])?.zipFile;
      if (zip === undefined || crc64(Buffer.from(zip, 'base64')) !== current.codeChecksum) changed.push(key);
    } else if (canonicalJson(value) !== canonicalJson(current[key as keyof FunctionConfig])) {
      changed.push(key);
    }
  }
  return changed;
}

type DeployClient = Pick<
  FcClient,
  'getFunction' | 'createFunction' | 'updateFunction' | 'getTrigger' | 'createTrigger' | 'updateTrigger'
>;

/**
 * Like fc3: CreateTrigger for a new trigger, UpdateTrigger for one whose settings differ (its
 * type may not change), nothing for one already as declared.
 */
async function deployTrigger(client: DeployClient, functionName: string, trigger: CreateTriggerInput) {
  let existing: Awaited<ReturnType<FcClient['getTrigger']>> | undefined;
  try {
    existing = await client.getTrigger(functionName, trigger.triggerName);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (existing && existing.triggerType !== trigger.triggerType)
    throw invalidArgument(
      `props.triggers ${trigger.triggerName}.triggerType`,
      trigger.triggerType,
      `cannot change an existing ${existing.triggerType} trigger; remove it first`,
    );
  const { triggerName, triggerType, sourceArn: _fixed, ...changes } = trigger;
  const same =
    existing !== undefined &&
    Object.entries(changes).every(
      ([key, value]) => canonicalJson(value) === canonicalJson(existing[key as keyof typeof existing]),
    );
  const deployed = same
    ? existing
    : existing
      ? await client.updateTrigger(functionName, triggerName, changes)
      : await client.createTrigger(functionName, trigger);
  const url = deployed?.httpTrigger?.urlInternet;
  const action = same ? 'unchanged' : existing ? 'updated' : 'created';
  return { triggerName, triggerType, action, ...(url ? { url } : {}) } as const;
}

/**
 * CreateFunction when the function is new, UpdateFunction when a planned prop differs from what
 * is deployed; nothing when none does (an update would only restart the instances that hold
 * prefetched sessions). Then the declared triggers, the same way.
 */
export async function deployFunction(
  client: DeployClient,
  plan: DeployPlan,
  region: string | undefined,
): Promise<DeployResult> {
  let current: FunctionConfig | undefined;
  try {
    current = await client.getFunction(plan.functionName);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  let config: FunctionConfig;
  let action: DeployResult['action'];
  let changed: string[];
  if (current === undefined) {
    config = await client.createFunction({
      ...plan.input,
      functionName: plan.functionName,
      runtime: plan.input.runtime as string,
    });
    action = 'created';
    changed = Object.keys(plan.input).filter((key) => plan.input[key as keyof FunctionInput] !== undefined);
  } else {
    changed = changedProps(plan.input, current);
    action = changed.length > 0 ? 'updated' : 'unchanged';
    config = changed.length > 0 ? await client.updateFunction(plan.functionName, plan.input) : current;
  }
  const triggers = [];
  for (const trigger of plan.triggers) triggers.push(await deployTrigger(client, plan.functionName, trigger));
  return {
    region,
    functionName: config.functionName ?? plan.functionName,
    action,
    changed,
    runtime: config.runtime,
    handler: config.handler,
    memorySize: config.memorySize,
    timeout: config.timeout,
    instanceConcurrency: config.instanceConcurrency,
    sessionAffinity: config.sessionAffinity,
    sessionAffinityConfig: config.sessionAffinityConfig,
    codeChecksum: config.codeChecksum,
    lastModifiedTime: config.lastModifiedTime,
    triggers,
  };
}

/** What `s deploy` says about the function (created, updated and which props, or left as it was), then each trigger. */
export function describeDeploy(result: DeployResult): string {
  const lines = [
    result.action === 'unchanged'
      ? `function ${result.functionName} unchanged (same code checksum and configuration): UpdateFunction skipped`
      : result.action === 'created'
        ? `created function ${result.functionName}`
        : `updated function ${result.functionName}: ${result.changed.join(', ')}`,
  ];
  for (const trigger of result.triggers) {
    const where = trigger.url ? ` (${trigger.url})` : '';
    lines.push(
      trigger.action === 'unchanged'
        ? `${trigger.triggerType} trigger ${trigger.triggerName} unchanged${where}`
        : `${trigger.action} ${trigger.triggerType} trigger ${trigger.triggerName}${where}`,
    );
  }
  return lines.join('\n');
}
