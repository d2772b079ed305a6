import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { FunctionEntry } from '../functions/function-registry.js';
import { type Instance, InstanceFailure, type InstanceResponse } from '../instances/instance.js';
import type { RequestLog } from '../instances/log-capture.js';
import { isNodejs } from '../instances/spec.js';
import { MCP_SESSION_HEADER } from '../model/affinity.js';
import type { SessionManager, SessionScope } from '../sessions/session-manager.js';
import type { SessionRecord } from '../state/records.js';
import { requestSessionId } from './affinity-keys.js';
import { httpTriggerEvent, type WebRequest } from './http-event.js';

export interface InvokerSettings {
  /** With session affinity an instance takes at most this many requests at once (running + waiting); beyond, 429. */
  readonly maxSessionRequestsPerInstance: number;
  /** With log Tail, how long to wait for the End marker after the answer arrived. */
  readonly logSettleMs: number;
  readonly accountId: string;
}

export interface Invocation {
  readonly entry: FunctionEntry;
  readonly requestId: string;
  /** The event (InvokeFunction) or the caller's body (HTTP trigger). */
  readonly body: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly logTail: boolean;
  /** Set for HTTP-trigger requests. */
  readonly web?: WebRequest | undefined;
  /** Async invocations ignore sessions. */
  readonly ignoreSessions?: boolean;
  /** More `x-fc-*` headers for the instance, such as `x-fc-async-task-id`. */
  readonly instanceHeaders?: Readonly<Record<string, string>>;
  /** The qualifier the call named and the version `entry` runs (absent: LATEST). */
  readonly scope?: SessionScope | undefined;
  /** Told which instance (of which entry) took the call, once it holds a request slot. */
  readonly onInstance?: ((instance: Instance, entry: FunctionEntry) => void) | undefined;
}

export interface InvocationResult {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Set when the function (or its instance) failed. */
  readonly errorType?: string | undefined;
  /** True when the instance gave no answer at all (it did not start, crashed or timed out). */
  readonly instanceFailed?: boolean;
  readonly instanceId?: string | undefined;
  /** The version that ran the call (absent: LATEST). */
  readonly versionId?: string | undefined;
  readonly durationMs: number;
  readonly maxMemoryMb: number;
  readonly logResult?: string | undefined;
  /** The session the request ran in, and whether this request created it. */
  readonly session?: { readonly id: string; readonly created: boolean; readonly ttlSeconds: number } | undefined;
}

/** base64 of `{}`: no span baggage. */
const EMPTY_BAGGAGE = 'e30=';

/** FC's `<trace id>:<span id>:<parent>:<flags>`, derived from the request id (unique per request). */
function spanContext(requestId: string): string {
  // The emulator's ids end in `-<8 hex>-<12 hex>`: their last 16 hex digits without the dash.
  const end = requestId.length;
  const hex =
    end >= 17 && requestId.indexOf('-', end - 17) === end - 13 && requestId.indexOf('-', end - 12) < 0
      ? requestId.slice(end - 17, end - 13) + requestId.slice(end - 12)
      : requestId.replaceAll('-', '').slice(-16);
  return `${hex}:${hex}:0:1`;
}

/** The `x-fc-*` headers every call to an instance carries, in one object that the caller may extend. */
function tracedHeaders(requestId: string, extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'x-fc-request-id': requestId,
    'x-fc-tracing-opentracing-span-context': spanContext(requestId),
    'x-fc-tracing-opentracing-span-baggages': EMPTY_BAGGAGE,
  };
  if (extra) Object.assign(headers, extra);
  return headers;
}

const errorBody = (message: string, errorType: string) =>
  Buffer.from(JSON.stringify({ errorMessage: message, errorType, stackTrace: [] }));

/**
 * Runs invocations: picks the instance (session affinity, or any instance), holds one of its
 * request slots, sends the request with FC's headers, and turns the answer (or the instance's
 * failure) into what FC would answer.
 */
export class Invoker {
  constructor(
    private readonly sessions: SessionManager,
    private readonly settings: InvokerSettings,
  ) {}

  async invoke(invocation: Invocation): Promise<InvocationResult> {
    let { entry } = invocation;
    const { affinity } = entry;
    const started = Date.now();
    let instance: Instance;
    let session: InvocationResult['session'];
    let sessionRecord: SessionRecord | undefined;
    try {
      if (!invocation.ignoreSessions && (affinity.type === 'HEADER_FIELD' || affinity.type === 'GENERATED_COOKIE')) {
        const sent = requestSessionId(affinity, invocation.headers);
        const routed = await this.sessions.route(entry, sent, invocation.scope);
        instance = routed.instance;
        entry = routed.entry;
        if (instance.active + instance.queued >= this.settings.maxSessionRequestsPerInstance) {
          throw new ApiError(
            429,
            'ResourceExhausted',
            `instance ${instance.id} already has ${this.settings.maxSessionRequestsPerInstance} requests in flight for its sessions`,
          );
        }
        if (!instance.tryAcquire()) await instance.acquire();
        sessionRecord = routed.record;
        session = {
          id: routed.record.sessionId,
          created: sent === undefined,
          ttlSeconds: routed.record.sessionTTLInSeconds,
        };
      } else if (!invocation.ignoreSessions && affinity.type === 'MCP_STREAMABLE') {
        const sent = requestSessionId(affinity, invocation.headers);
        const bound = sent ? this.sessions.boundInstance(entry.record.functionName, sent) : undefined;
        if (bound) await bound.acquire();
        instance = bound ?? (await entry.pool.acquireAny());
      } else {
        instance = await entry.pool.acquireAny();
      }
    } catch (error) {
      if (error instanceof InstanceFailure) return this.failure(error, undefined, started, invocation);
      throw error;
    }

    invocation.onInstance?.(instance, entry);
    let log: RequestLog | undefined;
    try {
      if (invocation.logTail) log = instance.logs.track(invocation.requestId);
      const response = await this.send(instance, invocation);
      if (log) {
        await log.settle(instance.logs.printsMarkers ? this.settings.logSettleMs : 20);
        if (!log.started) instance.logs.printsMarkers = false;
      }
      this.afterResponse(invocation, instance, response);
      const failed = response.headers['x-fc-status'] === '404' || response.headers['x-fc-error-type'] !== undefined;
      const errorType = failed ? String(response.headers['x-fc-error-type'] ?? 'UnhandledInvocationError') : undefined;
      return {
        status: response.status,
        headers: response.headers,
        body: response.body,
        errorType,
        instanceId: instance.id,
        versionId: instance.spec.versionId,
        durationMs: Date.now() - started,
        maxMemoryMb: instance.maxRssBytes / 1048576,
        logResult: log?.tail(),
        session,
      };
    } catch (error) {
      if (!(error instanceof InstanceFailure)) throw error;
      if (error.kind === 'timeout' || error.kind === 'crash') entry.pool.discard(instance);
      return this.failure(error, instance, started, invocation, log, session);
    } finally {
      if (log) instance.logs.untrack(log);
      instance.release();
      if (sessionRecord) this.sessions.requestEnded(sessionRecord);
    }
  }

  private send(instance: Instance, invocation: Invocation): Promise<InstanceResponse> {
    const { web, requestId } = invocation;
    const timeoutMs = instance.spec.timeoutSeconds * 1000;
    if (web && !isNodejs(instance.spec.runtime)) {
      const forwardedFor = web.headers['x-forwarded-for'];
      const headers = tracedHeaders(requestId, invocation.instanceHeaders);
      headers['x-fc-control-path'] = '/http-invoke';
      headers['x-fc-base-path'] = web.basePath;
      headers['x-fc-client-ip'] = web.sourceIp;
      headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${web.sourceIp}` : web.sourceIp;
      return instance.call({
        method: web.method,
        path: web.query ? `${web.path}?${web.query}` : web.path,
        forward: web.headers,
        forwardHost: true,
        headers,
        body: web.body,
        timeoutMs,
      });
    }
    if (web) {
      return instance.call({
        method: 'POST',
        path: '/invoke',
        headers: {
          'content-type': 'application/json',
          ...tracedHeaders(requestId, invocation.instanceHeaders),
          'x-fc-control-path': '/http-invoke',
        },
        body: httpTriggerEvent(web, requestId, this.settings.accountId, instance.spec.functionName),
        timeoutMs,
      });
    }
    const headers = tracedHeaders(requestId, invocation.instanceHeaders);
    headers['x-fc-control-path'] = '/invoke';
    return instance.call({
      method: 'POST',
      path: '/invoke',
      forward: invocation.headers,
      headers,
      body: invocation.body,
      timeoutMs,
    });
  }

  /** MCP streamable affinity: bind the Mcp-Session-Id the function answered with, forget it on DELETE. */
  private afterResponse(invocation: Invocation, instance: Instance, response: InstanceResponse): void {
    const { entry, web } = invocation;
    if (entry.affinity.type !== 'MCP_STREAMABLE' || invocation.ignoreSessions) return;
    const sent = requestSessionId(entry.affinity, invocation.headers);
    if (web?.method === 'DELETE' && sent) {
      this.sessions.forget(entry.record.functionName, sent);
      return;
    }
    const answered = response.headers[MCP_SESSION_HEADER];
    if (typeof answered === 'string' && answered !== sent) this.sessions.adopt(entry, answered, instance);
  }

  private failure(
    error: InstanceFailure,
    instance: Instance | undefined,
    started: number,
    invocation: Invocation,
    log?: RequestLog,
    session?: InvocationResult['session'],
  ): InvocationResult {
    if (error.kind === 'stopped') {
      throw new ApiError(
        503,
        'ResourceThrottled',
        `the instance was stopped before it answered (function update, delete or emulator shutdown)`,
      );
    }
    const timeoutSeconds = instance?.spec.timeoutSeconds ?? invocation.entry.pool.current.timeoutSeconds;
    const [errorType, message] =
      error.kind === 'timeout'
        ? [
            'UnhandledInvocationError',
            `Function timed out after ${timeoutSeconds} seconds; the instance was stopped and will be replaced`,
          ]
        : error.kind === 'crash'
          ? ['UnhandledInvocationError', `${error.message}; the instance will be replaced`]
          : ['InitializationError', error.message];
    log?.push(message);
    return {
      status: 200,
      headers: {},
      instanceFailed: true,
      body:
        error.body ??
        errorBody(
          message,
          error.kind === 'timeout'
            ? 'FunctionTimeout'
            : error.kind === 'crash'
              ? 'InstanceExited'
              : 'InitializationFailed',
        ),
      errorType,
      instanceId: instance?.id,
      durationMs: Date.now() - started,
      maxMemoryMb: (instance?.maxRssBytes ?? 0) / 1048576,
      logResult: log?.tail(),
      session,
    };
  }
}
