import { protectCredentials } from '@fc-sessions/client';
import { createClient } from '../core/connect.js';
import { formatKeep } from '../core/format.js';
import { type KeepReport, reconcileListed } from '../core/keeper.js';
import { PluginError } from '../core/errors.js';
import { readKeeperEnvironment } from '../core/keeper-function.js';
import { resolveSettings } from '../settings/resolve.js';

/** What FC hands a Node.js event handler, as far as the keeper reads it. */
export interface KeeperContext {
  requestId?: string;
  /** The role's temporary keys (absent without a role). */
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  region?: string;
  accountId?: string;
  /** The function's own settings; `timeout` in seconds (at most the schedule's least gap, see `keeperTimeout`). */
  function?: { timeout?: number };
}

/** The fire time a timer trigger's event names (`triggerTime`, whole seconds), if the event is one. */
function triggerTimeOf(event: unknown): number | undefined {
  const text = Buffer.isBuffer(event) ? event.toString() : typeof event === 'string' ? event : undefined;
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { triggerTime?: unknown };
    const ms = typeof parsed.triggerTime === 'string' ? Date.parse(parsed.triggerTime) : Number.NaN;
    return Number.isNaN(ms) ? undefined : ms;
  } catch {
    return undefined;
  }
}

/**
 * The keeper function (FC nodejs20, run by its timer trigger): one reconcile of the function its
 * environment names (`FCS_KEEP_*`, see `keeperEnvironment`), whose sessions are those FC lists with
 * the id prefix. It calls FC with the keys of its role (`context.credentials`), in the region and
 * account FC runs it in (never other keys: without a role it fails, as it would on FC). It returns
 * the reconcile's report; a bad setting fails the invocation.
 *
 * A run of a fire ends its work by that fire's time plus the function's timeout, which is at most
 * the gap to the next fire: a run that started late (a cold start, a queue) has that much less
 * time, and one that starts after it skips (undefined), so no two runs work at once.
 */
export async function handler(event: unknown, context: KeeperContext = {}): Promise<KeepReport | undefined> {
  const settings = readKeeperEnvironment(process.env);
  // Where it runs: FC's context, then the settings' environment variables ($FC_REGION, $FC_ACCOUNT_ID, $FCS_ENDPOINT, ...).
  const { region, accountId, endpoint } = resolveSettings(
    ['region', 'accountId', 'endpoint'],
    [
      {
        values: { region: context.region || undefined, accountId: context.accountId || undefined },
        name: (key) => `context.${key}`,
      },
    ],
    { required: { region: 'the region the keeper runs in (FC sets it, and $FC_REGION)' }, env: process.env },
  );
  const keys = context.credentials;
  if (!keys?.accessKeyId || !keys.accessKeySecret) {
    throw new PluginError({
      code: 'KeeperWithoutRole',
      field: 'keeper.role',
      message:
        'the keeper function got no credentials (context.credentials): give it a role (args.keeper.role) whose policy allows the session actions',
    });
  }
  const fired = triggerTimeOf(event);
  const timeout = context.function?.timeout;
  const left = fired === undefined || !timeout ? undefined : fired + timeout * 1000 - Date.now();
  if (left !== undefined && left <= 0) {
    console.log(`keep: skipped, the run of ${new Date(fired as number).toISOString()} started after the next fire`);
    return undefined;
  }
  const client = createClient({
    endpoint,
    region,
    accountId,
    credentials: protectCredentials({
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.accessKeySecret,
      securityToken: keys.securityToken || undefined,
    }),
    maxAttempts: settings.maxAttempts,
  });
  try {
    const bounded =
      left === undefined ? settings : { ...settings, timeoutSeconds: Math.min(settings.timeoutSeconds, left / 1000) };
    const report = await reconcileListed(client, bounded, region);
    console.log(formatKeep(report));
    return report;
  } finally {
    client.close();
  }
}
