import type { FcClient } from '@fc-sessions/client';
import type { Logbook } from './logbook.js';
import type { Checklist } from './report.js';

/** What every step of the flow works with. */
export interface FlowContext {
  readonly client: FcClient;
  /** The emulator's endpoint, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  readonly checks: Checklist;
  readonly logbook: Logbook;
  readonly signal: AbortSignal | undefined;
}
