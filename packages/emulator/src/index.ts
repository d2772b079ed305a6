export type { InstanceInfo } from './api/admin-api.js';
export { type EmulatorHandle, startEmulator } from './emulator.js';
export type { FaultConfig, FaultRule } from './faults/faults.js';
export { DEFAULTS, type EmulatorOptions, type InstanceLogSource, type PayloadLimits } from './options.js';
