import { resolve } from 'node:path';
import { resolveRegion } from '@fc-sessions/client';
import { type ConnectOptions, explicitEndpoint } from './connect.js';
import { manifestFolder, recordedRegions } from './manifest.js';
import type { ManifestLocation } from './prefetch.js';

/** What every command works on: the function, how to reach FC, where its manifest is. */
export interface Target {
  functionName: string;
  qualifier: string;
  connect: ConnectOptions;
  manifest: ManifestLocation;
}

/** The checked settings a target is made from (see `SETTINGS`). */
export interface TargetSettings {
  functionName: string;
  qualifier: string;
  region?: string | undefined;
  endpoint?: string | undefined;
  accountId?: string | undefined;
  access?: string | undefined;
  callTimeoutSeconds?: number | undefined;
  maxAttempts?: number | undefined;
  manifestDir: string;
}

/**
 * The one way every front door finds the manifest: `manifestDir` relative to `baseDir` (the s.yaml
 * folder, the service folder, the current directory); the region as configured, else as the
 * client finds it (environment, aliyun profile), else the one region that has a manifest for the
 * function, else `default`.
 */
export async function resolveTarget(
  settings: TargetSettings,
  base: { connect: ConnectOptions; baseDir: string },
): Promise<Target> {
  const connect: ConnectOptions = { ...base.connect };
  if (settings.endpoint !== undefined) connect.endpoint = settings.endpoint;
  if (settings.region !== undefined) connect.region = settings.region;
  if (settings.accountId !== undefined) connect.accountId = settings.accountId;
  if (settings.access !== undefined) connect.access = settings.access;
  if (settings.callTimeoutSeconds !== undefined) connect.timeoutSeconds = settings.callTimeoutSeconds;
  if (settings.maxAttempts !== undefined) connect.maxAttempts = settings.maxAttempts;
  const manifestDir = resolve(base.baseDir, settings.manifestDir);
  const endpoint = explicitEndpoint(connect);
  let region = connect.region || (await resolveRegion({ env: connect.env, home: connect.home }));
  if (!region) {
    const recorded = await recordedRegions(
      manifestFolder(manifestDir, endpoint),
      settings.functionName,
      settings.qualifier,
    );
    region = recorded.length === 1 ? recorded[0] : undefined;
  }
  return {
    functionName: settings.functionName,
    qualifier: settings.qualifier,
    connect,
    manifest: { manifestDir, region: region ?? 'default', endpoint },
  };
}
