import { dirname } from 'node:path';
import type { Credentials } from '@fc-sessions/client';
import { isPlainObject } from '../core/check.js';
import { type ConnectOptions, explicitEndpoint } from '../core/connect.js';
import { invalidArgument } from '../core/errors.js';
import type { ParserFlag } from '../commands/args.js';
import { keysIn, type Source } from '../settings/resolve.js';
import type { DevsCredential, DevsInputs } from './types.js';

/** `s`'s own flags: they stay in `inputs.args`, and a component skips them. */
export const S_FLAGS: readonly ParserFlag[] = [
  { name: 'output-format', key: '', short: 'o', takes: 'value' },
  { name: 'access', key: '', short: 'a', takes: 'value' },
  { name: 'template', key: '', short: 't', takes: 'value' },
  { name: 'props', key: '', short: 'p', takes: 'value' },
  { name: 'env', key: '', takes: 'value' },
  { name: 'output-file', key: '', takes: 'value' },
  { name: 'debug', key: '', takes: 'switch' },
  { name: 'silent', key: '', takes: 'switch' },
  { name: 'skip-actions', key: '', takes: 'switch' },
];

/** `props` as an object: `s cli` mode passes JSON text. */
export function readProps(inputs: DevsInputs): Record<string, unknown> {
  const props = inputs.props;
  if (props === undefined || props === null) return {};
  if (typeof props === 'string') {
    if (props.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(props);
    } catch {
      throw invalidArgument(
        'props',
        props,
        'must be a JSON object (s cli -p \'{"region":"cn-hangzhou","functionName":"fn"}\')',
      );
    }
    if (!isPlainObject(parsed)) throw invalidArgument('props', props, 'must be a JSON object');
    return parsed;
  }
  if (!isPlainObject(props)) throw invalidArgument('props', props, 'must be an object');
  return props;
}

const PROP_KEYS = keysIn('props');

/** The component's own props (`functionName`, `region`, `endpoint`, `manifestDir`) as a source of settings; fc3's other props are not ours to check. */
export function propsSource(props: Record<string, unknown>): Source {
  return {
    values: Object.fromEntries(PROP_KEYS.map((key) => [key, props[key] === '' ? undefined : props[key]])),
    name: (key) => `props.${key}`,
  };
}

/**
 * The alias `s` takes the keys from (`-a`, `access` in s.yaml, else its default) as the `access`
 * setting, read after flags and props: the alias's account id goes with its keys (`devsConnect`), so
 * the account id's environment variables are not read (`envUnless`), as the client does with an
 * alias; an account id given explicitly still wins. Gives nothing outside `s` (no `getCredential`).
 */
export function aliasSource(inputs: DevsInputs): Source {
  const named = inputs.resource?.access;
  const access = inputs.getCredential ? (named === undefined || named === '' ? 'default' : String(named)) : undefined;
  return { values: { access }, name: () => "s's alias (-a, or access in s.yaml)" };
}

/** The folder of s.yaml (or the cwd in `s cli` mode): manifests and relative paths are resolved there. */
export function projectDir(inputs: DevsInputs): string {
  return inputs.yaml?.path ? dirname(inputs.yaml.path) : (inputs.cwd ?? process.cwd());
}

/** `-o json` (or any `-o`) in argv: `s` then swallows errors, so the component returns them as data. */
export function wantsData(args: readonly string[] = []): boolean {
  return args.some((arg) => arg === '-o' || arg === '--output-format' || arg.startsWith('--output-format='));
}

export function isSilent(args: readonly string[] = []): boolean {
  return args.includes('--silent');
}

function toCredentials(credential: DevsCredential): Credentials | undefined {
  if (!credential.AccessKeyID || !credential.AccessKeySecret) return undefined;
  return {
    accessKeyId: credential.AccessKeyID,
    accessKeySecret: credential.AccessKeySecret,
    securityToken: credential.SecurityToken || undefined,
  };
}

/**
 * Credentials and account id from `inputs.getCredential()`: the alias's account id unless one was
 * given explicitly. When `s` has none and the endpoint is loopback (the emulator), the client's
 * own chain (and the emulator's keys) are used instead, without the alias `s` has no keys for.
 */
export async function devsConnect(inputs: DevsInputs, base: ConnectOptions): Promise<Partial<ConnectOptions>> {
  if (!inputs.getCredential) return {};
  const endpoint = explicitEndpoint(base);
  const emulator = endpoint !== undefined && /^(https?:\/\/)?(127\.0\.0\.1|localhost)(:|\/|$)/.test(endpoint);
  try {
    const credential = await inputs.getCredential();
    const credentials = toCredentials(credential);
    return {
      ...(credentials ? { credentials } : emulator ? { access: undefined } : {}),
      ...(credential.AccountID && !base.accountId ? { accountId: String(credential.AccountID) } : {}),
    };
  } catch (error) {
    if (emulator) return { access: undefined };
    throw error;
  }
}
