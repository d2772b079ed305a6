import { type EmulatorHandle, type EmulatorOptions, startEmulator } from '../../src/index.js';
import { type Sdk, sdkFor } from './sdk.js';

export interface TestEmulator {
  readonly emulator: EmulatorHandle;
  readonly sdk: Sdk;
  /** Every instance pid seen while the test ran. */
  readonly pids: Set<number>;
  /** Records the pids of the instances running now. */
  notePids(): void;
  stop(): Promise<void>;
}

/** Starts an emulator on a free port with a temp data dir; `stop()` also checks that no instance process is left. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ instanceStartTimeoutMs: 10_000, stopGraceMs: 1000, ...options });
  const pids = new Set<number>();
  const notePids = () => {
    for (const instance of emulator.instances()) if (instance.pid !== undefined) pids.add(instance.pid);
  };
  return {
    emulator,
    sdk: sdkFor(emulator.endpoint, emulator.credentials),
    pids,
    notePids,
    async stop() {
      notePids();
      await emulator.stop();
      await expectProcessesGone(pids);
    },
  };
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function expectProcessesGone(pids: Iterable<number>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const pid of pids) {
    while (isRunning(pid)) {
      if (Date.now() > deadline) throw new Error(`instance process ${pid} is still running`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export { waitFor } from '@fc-sessions/testing';
