import type { AdminToken } from '../auth/admin-token.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { BackgroundTasks } from '../background.js';
import type { FaultInjector } from '../faults/faults.js';
import type { FunctionRegistry } from '../functions/function-registry.js';
import type { Invoker } from '../invoke/invoker.js';
import type { ResolvedOptions } from '../options.js';
import type { SessionManager } from '../sessions/session-manager.js';

/** Everything a route handler may use. */
export interface Services {
  readonly options: ResolvedOptions;
  readonly functions: FunctionRegistry;
  readonly sessions: SessionManager;
  readonly invoker: Invoker;
  readonly keys: KeyRing;
  /** What every `/_emulator/*` request must carry. */
  readonly adminToken: AdminToken;
  readonly faults: FaultInjector;
  readonly background: BackgroundTasks;
  readonly acceptNonce: (nonce: string) => boolean;
  readonly endpoint: () => string;
}
