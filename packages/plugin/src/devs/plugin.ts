import { resolve } from 'node:path';
import { integerOption, isPlainObject, stringOption } from '../core/check.js';
import { createClient, explicitEndpoint, manifestRegion } from '../core/connect.js';
import { invalidArgument, summarizeError } from '../core/errors.js';
import { formatPrefetchEvent, prefetchSummary } from '../core/format.js';
import { defaultManifestDir } from '../core/manifest.js';
import { prefetchSessions } from '../core/prefetch.js';
import { PREFETCH_KEYS, readPrefetchSettings } from '../core/prefetch-options.js';
import { devsConnect, projectDir, readProps } from './context.js';
import type { DevsInputs, DevsLogger } from './types.js';

/** Keys of the action's `args` besides the prefetch options. */
const RUN_KEYS = ['region', 'endpoint', 'manifestDir', 'maxAttempts', 'settleSeconds'] as const;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Serverless Devs plugin for `success-deploy`: keeps `args.count` warm sessions of the function
 * just deployed, and returns the deploy output with `sessions` (and `prefetch`, a summary) added,
 * so `s deploy` prints them and later resources can use `${resources.<name>.output.sessions}`.
 * Region and function come from `args`, else the deploy output, else props; credentials from
 * `inputs.getCredential()`; the endpoint from `args.endpoint`, `props.endpoint` or `FCS_ENDPOINT`;
 * the manifest folder from `args.manifestDir`, `props.manifestDir` or `FCS_MANIFEST_DIR`.
 * A native async function on purpose: `s` first tries `new plugin(...)` and uses the function only if that throws.
 */
export const fcSessionsPrefetch = async (
  inputs: DevsInputs,
  args?: Record<string, unknown> | null,
  logger?: DevsLogger,
): Promise<DevsInputs> => {
  try {
    return await prefetchForDeploy(inputs, args ?? {}, logger);
  } catch (error) {
    const summary = summarizeError(error);
    throw new Error(`${summary.code}: ${summary.message}`);
  }
};

async function prefetchForDeploy(
  inputs: DevsInputs,
  options: Record<string, unknown>,
  logger: DevsLogger | undefined,
): Promise<DevsInputs> {
  if (!isPlainObject(options)) throw invalidArgument('args', options, 'must be a mapping of prefetch options');
  const field = (key: string) => `args.${key}`;
  for (const key of Object.keys(options)) {
    if (!(PREFETCH_KEYS as readonly string[]).includes(key) && !(RUN_KEYS as readonly string[]).includes(key)) {
      throw invalidArgument(
        field(key),
        options[key],
        `is not a known option (known: ${[...PREFETCH_KEYS, ...RUN_KEYS].join(', ')})`,
      );
    }
  }
  const props = readProps(inputs);
  const output = isPlainObject(inputs.output) ? inputs.output : {};
  const prefetchInput = Object.fromEntries(
    Object.entries(options).filter(([key]) => (PREFETCH_KEYS as readonly string[]).includes(key)),
  );
  prefetchInput['functionName'] ??= text(output['functionName']) ?? text(props['functionName']);
  const settings = readPrefetchSettings(prefetchInput, field);
  const connect = {
    endpoint: stringOption(field('endpoint'), options['endpoint']) ?? text(props['endpoint']),
    region: stringOption(field('region'), options['region']) ?? text(output['region']) ?? text(props['region']),
    maxAttempts: integerOption(field('maxAttempts'), options['maxAttempts'], 1, 10),
  };
  const settleSeconds = integerOption(field('settleSeconds'), options['settleSeconds'], 0, 86_400);
  const manifestDir = resolve(
    projectDir(inputs),
    stringOption(field('manifestDir'), options['manifestDir']) ??
      stringOption('props.manifestDir', props['manifestDir']) ??
      defaultManifestDir(),
  );
  const region = await manifestRegion(connect);
  const connected = createClient({ ...connect, ...(await devsConnect(inputs, connect)) });
  try {
    const result = await prefetchSessions(connected, {
      ...settings,
      manifestDir,
      region,
      endpoint: explicitEndpoint(connect),
      settleSeconds,
      onProgress: (event) => logger?.info?.(formatPrefetchEvent(event)),
      onWarning: (message) => logger?.warn?.(message),
    });
    const summary = prefetchSummary(result);
    if (result.complete) logger?.info?.(summary);
    else logger?.warn?.(`${summary}${result.error ? ` - ${result.error.code}: ${result.error.message}` : ''}`);
    return {
      ...inputs,
      output: {
        ...output,
        sessions: result.sessions,
        prefetch: {
          desired: result.desired,
          qualifier: result.qualifier,
          created: result.created.length,
          reused: result.reused.length,
          failed: result.failed.length,
          complete: result.complete,
          ...(result.error ? { error: result.error } : {}),
          manifest: result.manifestPath,
        },
      },
    };
  } finally {
    connected.close();
  }
}
