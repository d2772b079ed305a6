import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const appDir = (pkg: string): string => dirname(require.resolve(`${pkg}/package.json`));

export interface SampleApp {
  /** The app's folder (its s.yaml and code/). */
  readonly dir: string;
  /** The function its s.yaml deploys. */
  readonly functionName: string;
}

/** apps/chat: custom runtime web function, HEADER_FIELD affinity on `x-chat-session`. */
export const CHAT: SampleApp & { readonly header: string } = {
  dir: appDir('@fc-sessions/app-chat'),
  functionName: 'fcs-chat',
  header: 'x-chat-session',
};

/** apps/cookie-counter: custom runtime web function, GENERATED_COOKIE affinity, reached by its HTTP trigger. */
export const COOKIE_COUNTER: SampleApp = {
  dir: appDir('@fc-sessions/app-cookie-counter'),
  functionName: 'fcs-cookie-counter',
};

/** apps/event-worker: built-in nodejs20 event function. */
export const EVENT_WORKER: SampleApp = {
  dir: appDir('@fc-sessions/app-event-worker'),
  functionName: 'fcs-event-worker',
};

export const SAMPLE_APPS: readonly SampleApp[] = [CHAT, COOKIE_COUNTER, EVENT_WORKER];
