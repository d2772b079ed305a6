import { ENDPOINT_ENV, protectCredentials } from '@fc-sessions/client';
import { createClient } from '../core/connect.js';
import { formatKeep } from '../core/format.js';
import { type KeepReport, reconcileListed } from '../core/keeper.js';
import { missingArgument, PluginError } from '../core/errors.js';
import { readKeeperEnvironment } from '../core/keeper-function.js';

/** What FC hands a Node.js event handler, as far as the keeper reads it. */
export interface KeeperContext {
  requestId?: string;
  /** The role's temporary keys (absent without a role). */
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  region?: string;
  accountId?: string;
}

/**
 * The keeper function (FC nodejs20, run by its timer trigger): one reconcile of the function its
 * environment names (`FCS_KEEP_*`, see `keeperEnvironment`), whose sessions are those FC lists with
 * the id prefix. It calls FC with the keys of its role (`context.credentials`), in the region and
 * account FC runs it in (never other keys: without a role it fails, as it would on FC). It returns
 * the reconcile's report; a bad setting fails the invocation.
 */
export async function handler(_event: unknown, context: KeeperContext = {}): Promise<KeepReport> {
  const settings = readKeeperEnvironment(process.env);
  const region = context.region || process.env['FC_REGION'];
  if (!region) throw missingArgument('FC_REGION', 'the region the keeper runs in (FC sets it)');
  const keys = context.credentials;
  if (!keys?.accessKeyId || !keys.accessKeySecret) {
    throw new PluginError({
      code: 'KeeperWithoutRole',
      field: 'keeper.role',
      message:
        'the keeper function got no credentials (context.credentials): give it a role (args.keeper.role) whose policy allows the session actions',
    });
  }
  const client = createClient({
    endpoint: process.env[ENDPOINT_ENV] || undefined,
    region,
    accountId: context.accountId || process.env['FC_ACCOUNT_ID'] || undefined,
    credentials: protectCredentials({
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.accessKeySecret,
      securityToken: keys.securityToken || undefined,
    }),
    maxAttempts: settings.maxAttempts,
  });
  try {
    const report = await reconcileListed(client, settings, region);
    console.log(formatKeep(report));
    return report;
  } finally {
    client.close();
  }
}
