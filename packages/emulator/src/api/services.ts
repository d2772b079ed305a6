import type { AdminToken } from '../auth/admin-token.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { BackgroundTasks } from '../background.js';
import type { FaultInjector } from '../faults/faults.js';
import type { AsyncInvokeConfigs } from '../functions/async-invoke-configs.js';
import type { FunctionRegistry } from '../functions/function-registry.js';
import type { Versions } from '../functions/versions.js';
import type { AsyncTasks } from '../invoke/async-tasks.js';
import type { Invoker } from '../invoke/invoker.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { TriggerRegistry } from '../triggers/trigger-registry.js';
import type { LiveFeed } from '../ui/live-feed.js';

/** Everything a route handler may use. */
export interface Services {
  readonly options: ResolvedOptions;
  readonly functions: FunctionRegistry;
  readonly versions: Versions;
  readonly tasks: AsyncTasks;
  readonly asyncConfigs: AsyncInvokeConfigs;
  readonly sessions: SessionManager;
  readonly triggers: TriggerRegistry;
  readonly invoker: Invoker;
  readonly keys: KeyRing;
  /** What every `/_emulator/*` request must carry. */
  readonly adminToken: AdminToken;
  readonly faults: FaultInjector;
  readonly background: BackgroundTasks;
  /** The dashboard's server-sent events. */
  readonly live: LiveFeed;
  readonly acceptNonce: (nonce: string) => boolean;
  readonly endpoint: () => string;
}
