export type { InstanceInfo } from './api/admin-api.js';
export { type EmulatorHandle, startEmulator } from './emulator.js';
export type { FaultConfig, FaultRule } from './faults/faults.js';
export { DEFAULTS, type EmulatorOptions, type InstanceLogSource, type PayloadLimits } from './options.js';
export { makeZip, type ZipFile } from './state/zip-writer.js';
