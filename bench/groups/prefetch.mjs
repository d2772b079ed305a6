// Group "prefetch": prefetch scaling against the emulator.
import { notMeasured } from '../lib/harness.mjs';

export async function run() {
  return [notMeasured('prefetch', 'whole group', '@fc-sessions/plugin is not ready yet')];
}
