export { type ConnectOptions, createClient, manifestRegion } from './core/connect.js';
export { EXIT, type ErrorSummary, exitCodeOf, PluginError, summarizeError } from './core/errors.js';
export { type EventInput, readEvent } from './core/event.js';
export {
  type FormatOptions,
  formatAliases,
  formatError,
  formatInvoke,
  formatKeep,
  formatPrefetch,
  formatPrefetchEvent,
  formatPrune,
  formatSessions,
  formatTask,
  formatTasks,
  formatVersions,
  prefetchSummary,
} from './core/format.js';
export { type InvokeReport, type InvokeRequest, invokeFunction, manifestSession, parseHeaders } from './core/invoke.js';
export {
  type KeepCounts,
  type KeepHooks,
  type KeepOptions,
  type KeepReport,
  type KeepSettings,
  type KeepTargetReport,
  type KeeperApi,
  keepSessions,
  readKeepSettings,
} from './core/keeper.js';
export {
  DEFAULT_MANIFEST_DIR,
  defaultManifestDir,
  endpointKey,
  MANIFEST_DIR_ENV,
  type Manifest,
  type ManifestKey,
  type ManifestSession,
  ManifestStore,
  manifestFolder,
  manifestPath,
} from './core/manifest.js';
export {
  assertSessionCapable,
  type FailedSession,
  type ManifestLocation,
  PREFETCH_AFFINITIES,
  PrefetchError,
  type PrefetchEvent,
  type PrefetchOptions,
  type PrefetchResult,
  type PrefetchedSession,
  prefetchSessions,
  type SessionApi,
} from './core/prefetch.js';
export {
  COUNT_MAX,
  type FailurePolicy,
  PREFETCH_DEFAULTS,
  PREFETCH_KEYS,
  type PrefetchSettings,
  readPrefetchSettings,
} from './core/prefetch-options.js';
export { type PruneOptions, type PruneResult, pruneSessions } from './core/prune.js';
export { fillTemplate, type TemplateValues } from './core/template.js';
export { FINAL_TASK_STATUSES, type WaitOptions, waitForTask } from './core/tasks.js';
export {
  type AliasRequest,
  listAliases,
  listVersions,
  parseVersionWeight,
  resolveVersionId,
  saveAlias,
} from './core/versions.js';
export { type Resolved, resolveSettings, type Source } from './settings/resolve.js';
export { type SettingKey, SETTINGS } from './settings/settings.js';
