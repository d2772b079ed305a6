// Group "runtime": min+gzip size, import time, header reads.
import { notMeasured } from '../lib/harness.mjs';

export async function run() {
  return [notMeasured('runtime', 'whole group', '@fc-sessions/runtime is not ready yet')];
}
