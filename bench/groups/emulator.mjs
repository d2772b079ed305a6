// Group "emulator": emulator: sync invocations through session routing vs direct, instance cold start.
import { notMeasured } from '../lib/harness.mjs';

export async function run() {
  return [notMeasured('emulator', 'whole group', '@fc-sessions/emulator is not ready yet')];
}
