import { EXIT } from '../core/errors.js';
import { formatKeep } from '../core/format.js';
import { checkKeepSettings } from '../core/keep-checks.js';
import { KEEP_KEYS, type KeepReport, keepChecked } from '../core/keeper.js';
import { defineCommand } from './define.js';

const KEEP_OPTIONS = KEEP_KEYS.filter((key) => key !== 'qualifier');

/** The last reconcile's report (every reconcile went to `report` as it happened). */
export const keep = defineCommand(
  {
    path: ['keep'],
    summary: 'Keep N warm sessions, reconciling every interval until stopped',
    description:
      'A foreground keeper: every --interval it converges each function to N Active sessions as prefetch does (lost ' +
      'sessions are replaced), renews sessions --renew-before their TTL ends (the replacement takes the slot, the old ' +
      'session is deleted after --grace) and, with --keep-alive invoke, sends idle sessions the keep-alive event. ' +
      'Ctrl-C (SIGINT) or SIGTERM lets the reconcile running finish, releases the manifest lock and leaves the sessions ' +
      'as they are (exit 130). With --once: one reconcile, exit 0 when every function has N Active sessions, else 5.' +
      '\n\nExamples:\n  keep chat -n 3\n  keep chat worker -n 2 --interval 30 --renew-before 600 --keep-alive invoke\n  keep chat -n 3 --once --json',
    options: KEEP_OPTIONS,
    required: { count: 'how many sessions to keep per function' },
    manyFunctions: true,
    streams: true,
    check: checkKeepSettings,
  },
  async (input, { target, client, signal, warning, report, format }) => {
    const settings = {
      ...input,
      qualifier: target.qualifier,
      functionNames: input.functionNames ?? [target.functionName],
    };
    let last: KeepReport | undefined;
    const reports = keepChecked(await client(), settings, { ...target.manifest, onWarning: warning }, { signal });
    for await (const one of reports) {
      last = one;
      report?.(one, formatKeep(one, format));
    }
    const exitCode = signal?.aborted ? EXIT.interrupted : last?.converged ? EXIT.ok : EXIT.incomplete;
    return { data: last, text: last ? `${formatKeep(last, format)}\n` : '', exitCode };
  },
);
