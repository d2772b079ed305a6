// Group "cli": fcs invoke vs s invoke.
import { notMeasured } from '../lib/harness.mjs';

export async function run() {
  return [notMeasured('cli', 'whole group', '@fc-sessions/plugin is not ready yet')];
}
