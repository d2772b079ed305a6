import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Services } from '../api/services.js';
import { ApiError } from '../errors.js';
import { isoMillis, newRequestId } from '../ids.js';
import type { ApiRequest } from './api-request.js';
import { readBody } from './body.js';
import { fc2Error, fc3Error, type Reply, writeReply } from './reply.js';
import { authenticate, authenticateBody, type ErrorStyle, routeOf } from './router.js';

function errorReply(error: unknown, requestId: string, style: ErrorStyle, s: Services): Reply {
  const known =
    error instanceof ApiError
      ? error
      : new ApiError(
          500,
          'InternalServerError',
          `the emulator failed to handle the request: ${(error as Error)?.message ?? String(error)}`,
        );
  if (!(error instanceof ApiError))
    s.options.onDiagnostic?.(`request ${requestId}: ${(error as Error)?.stack ?? String(error)}`);
  return (style === 'fc2' ? fc2Error : fc3Error)(known.status, known.code, known.message, requestId);
}

/** The body of every request until it has been read (zero bytes: nothing can change it). */
const NO_BODY = Buffer.alloc(0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(s: Services, req: IncomingMessage, res: ServerResponse, request: ApiRequest): Promise<void> {
  let style: ErrorStyle = request.path.startsWith('/2016-08-15/') ? 'fc2' : 'fc3';
  let action = 'Unknown';
  const started = performance.now();
  try {
    const route = routeOf(s, request);
    style = route.style;
    action = route.action;
    try {
      authenticate(s, route, request);
      request.body = await readBody(
        req,
        route.bodyLimit,
        route.action === 'InvokeFunction' ? 'the invocation payload' : 'the request body',
      );
    } catch (error) {
      res.setHeader('connection', 'close');
      throw error;
    }
    authenticateBody(route, request);
    if (route.action !== 'Admin') s.options.onRequest?.(route.action);
    if (s.faults.active && route.action !== 'Admin') {
      const decision = s.faults.decide(route.action);
      if (decision.latencyMs > 0) await sleep(decision.latencyMs);
      if (decision.outcome === 'drop') {
        req.socket.destroy();
        return;
      }
      if (decision.outcome === 'throttle')
        throw new ApiError(429, 'ResourceExhausted', 'injected by the emulator (fault injection: throttleRate)');
      if (decision.outcome === 'unavailable')
        throw new ApiError(503, 'ResourceThrottled', 'injected by the emulator (fault injection: unavailableRate)');
    }
    const reply = await route.run();
    if (!res.destroyed) writeReply(res, reply);
    observe(s, action, request, reply, started);
  } catch (error) {
    const reply = errorReply(error, request.requestId, style, s);
    if (!res.headersSent && !res.destroyed) writeReply(res, reply);
    observe(s, action, request, reply, started);
  }
}

const INVOCATIONS = new Set(['InvokeFunction', 'HttpTrigger']);

/** Tells the dashboard: every invocation goes to its stream, every other change makes it look again. */
function observe(s: Services, action: string, request: ApiRequest, reply: Reply, started: number): void {
  if (INVOCATIONS.has(action)) {
    const headers = reply.headers ?? {};
    const errorType = headers['x-fc-error-type'] ?? headers['X-Fc-Error-Type'];
    s.live.invocation({
      requestId: request.requestId,
      action,
      functionName: request.ran?.functionName,
      sessionId: request.ran?.sessionId,
      instanceId: request.ran?.instanceId,
      status: reply.status,
      errorType: errorType === undefined ? undefined : String(errorType),
      durationMs: Math.round(performance.now() - started),
      endedTime: isoMillis(Date.now()),
    });
  } else if (request.method !== 'GET') s.live.changed();
}

/** The node:http front door: splits the URL once, then hands the request to the router. */
export function createServer(s: Services): http.Server {
  const server = http.createServer(
    { keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 },
    (req, res) => {
      const url = req.url ?? '/';
      const mark = url.indexOf('?');
      const request: ApiRequest = {
        req,
        method: req.method ?? 'GET',
        url,
        path: mark < 0 ? url : url.slice(0, mark),
        rawQuery: mark < 0 ? '' : url.slice(mark + 1),
        headers: req.headers,
        requestId: newRequestId(),
        body: NO_BODY,
      };
      serve(s, req, res, request).catch((error: unknown) => s.options.onDiagnostic?.(String(error)));
    },
  );
  return server;
}
