// @ts-check
// Runs inside an emulator instance of a nodejs* function. It loads the user's handler and serves
// the custom-runtime protocol the emulator speaks to every instance: POST /initialize,
// POST /invoke, GET /pre-stop, on 127.0.0.1:$FC_CUSTOM_LISTEN_PORT, and the same requests as
// frames on the pipe `--channel <fd>` (see serveChannel), which is how the emulator sends them:
// on FC the platform drives its built-in runtimes through its own protocol, and a frame costs both
// processes far less than an HTTP request. What the process prints goes to the emulator on that
// pipe too, or on its stdout and stderr while that pipe is backed up (see BACKLOG_BYTES). It prints FC's log markers and prefixes console output with `<time> <requestId>
// [LEVEL]`, as the FC Node.js runtime does.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');
const { timingSafeEqual } = require('node:crypto');
const { existsSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { format } = require('node:util');

const codeDir = process.env['FC_FUNC_CODE_PATH'] || process.cwd();
const port = Number(process.env['FC_CUSTOM_LISTEN_PORT']);
const options = parseArgs(process.argv.slice(2));
const requestIds = new AsyncLocalStorage();
// Only the emulator knows it: requests without it did not come through the emulator. The
// function's code does not need it, so it leaves the environment before that code loads.
const secret = Buffer.from(process.env['FCS_INSTANCE_SECRET'] ?? '');
delete process.env['FCS_INSTANCE_SECRET'];

/** @param {string | string[] | undefined} sent */
function fromEmulator(sent) {
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  return secret.length > 0 && given.length === secret.length && timingSafeEqual(given, secret);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const out = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[String(argv[i]).replace(/^--/, '')] = String(argv[i + 1]);
  return out;
}

// The emulator's end of the channel (see serveChannel): requests and answers, and what the
// process prints.
const channel = new net.Socket({ fd: Number(options['channel']), readable: true, writable: true });
channel.on('error', () => undefined);

/**
 * FC's Start and End markers not sent yet. They go out with the next output, the next answer or
 * at the end of this turn of the event loop, whichever comes first: the same text in the same
 * order, but a request that prints nothing reaches the emulator in one write (markers and
 * answer), not three.
 */
let pendingMarkers = '';
let flushQueued = false;

/**
 * How much of the channel may wait to be written before output takes the process's own stdout and
 * stderr pipes instead. A handler that prints in a tight loop never lets the event loop write the
 * channel, so every output frame would wait in memory (40000 lines of 1 KiB: 120 MB more in the
 * instance); the pipes are made blocking (see `capture`), so a write to them waits until the
 * emulator has read enough, as writes did before the channel existed.
 */
const BACKLOG_BYTES = 1024 * 1024;
/**
 * Whether output goes to the pipes: from when the channel holds more than BACKLOG_BYTES until it
 * has handed all it held to the kernel, not back and forth at every write near the bound. Each
 * pipe and the channel keep their own order, and the emulator splits each into lines on its own;
 * but what went to a pipe can reach the emulator ahead of the output the channel still held (at
 * most about BACKLOG_BYTES). Lines printed through console keep their request id either way.
 */
let spilled = false;
channel.on('drain', () => {
  spilled = false;
});

function spilling() {
  if (!spilled && channel.writableLength > BACKLOG_BYTES) spilled = true;
  return spilled;
}

/** @param {string} text @param {Uint8Array} [bytes] An output frame (id 0): `text`, then `bytes`. */
function outputFrame(text, bytes) {
  const textLength = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(8 + textLength + (bytes?.length ?? 0));
  frame.writeUInt32LE(frame.length - 4, 0);
  frame.writeUInt32LE(0, 4);
  frame.write(text, 8, 'utf8');
  if (bytes) frame.set(bytes, 8 + textLength);
  return frame;
}

function takeMarkers() {
  const text = pendingMarkers;
  pendingMarkers = '';
  return text;
}

/** While output goes to the pipes: the markers waiting go to stdout, after the output they close. */
function spillMarkers() {
  if (pendingMarkers !== '') writeStdout(takeMarkers());
}

function flushMarkers() {
  flushQueued = false;
  if (spilled) spillMarkers();
  else if (pendingMarkers !== '' && channel.writable) channel.write(outputFrame(takeMarkers()));
}

/** @param {string} line */
function marker(line) {
  pendingMarkers += line;
  if (!flushQueued) {
    flushQueued = true;
    setImmediate(flushMarkers);
  }
}

/**
 * Sends what the code writes to `stream` to the emulator as output frames, in order with the
 * markers and answers; while the channel is backed up (see BACKLOG_BYTES), to the stream's own
 * pipe, the markers waiting going first. Writes that bypass process.stdout and process.stderr
 * (fs.writeSync(1), child processes) also reach the emulator through those pipes, which are made
 * blocking: Node writes a pipe asynchronously, holding what the emulator has not read yet.
 * @param {NodeJS.WriteStream} stream
 */
function capture(stream) {
  const original = stream.write;
  /** @type {{ setBlocking?: (blocking: boolean) => number } | undefined} */ (
    /** @type {{ _handle?: unknown }} */ (stream)._handle
  )?.setBlocking?.(true);
  stream.write = /** @type {typeof stream.write} */ (
    function write(/** @type {unknown[]} */ ...args) {
      const [chunk, encoding, callback] = args;
      const bytes =
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8')
          : chunk instanceof Uint8Array
            ? chunk
            : undefined;
      if (!bytes || !channel.writable) return Reflect.apply(original, stream, args);
      if (spilling()) {
        spillMarkers();
        return Reflect.apply(original, stream, args);
      }
      channel.write(outputFrame(takeMarkers(), bytes));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(() => done());
      return true;
    }
  );
}
const writeStdout = process.stdout.write.bind(process.stdout);
capture(process.stdout);
capture(process.stderr);
// Before Node prints an uncaught error (to fd 2, not through process.stderr) or the process exits.
process.on('uncaughtExceptionMonitor', flushMarkers);
process.on('exit', flushMarkers);

/** @param {string} level @param {unknown[]} args */
function logLine(level, args) {
  const requestId = requestIds.getStore();
  const text = format(...args);
  process.stdout.write(requestId ? `${new Date().toISOString()} ${requestId} [${level}] ${text}\n` : `${text}\n`);
}
console.log = (...args) => logLine('INFO', args);
console.info = (...args) => logLine('INFO', args);
console.debug = (...args) => logLine('DEBUG', args);
console.warn = (...args) => logLine('WARN', args);
console.error = (...args) => logLine('ERROR', args);

/** @type {Map<string, Promise<Record<string, unknown>>>} */
const modules = new Map();

/** @param {string} file */
function loadModule(file) {
  let loaded = modules.get(file);
  if (!loaded) {
    const base = join(codeDir, file);
    const path = [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, join(base, 'index.js')].find(
      (candidate) => existsSync(candidate) && !candidate.endsWith('/'),
    );
    loaded = path
      ? import(pathToFileURL(path).href)
      : Promise.reject(
          Object.assign(new Error(`Cannot find module '${file}' in ${codeDir}`), { name: 'ImportModuleError' }),
        );
    modules.set(file, loaded);
  }
  return loaded;
}

/** "dir/index.handler" -> the `handler` export of dir/index.js */
async function resolveHandler(/** @type {string} */ spec) {
  const dot = spec.lastIndexOf('.');
  const file = spec.slice(0, dot);
  const name = spec.slice(dot + 1);
  const mod = await loadModule(file);
  const fromDefault = /** @type {Record<string, unknown> | undefined} */ (mod['default']);
  const fn = mod[name] ?? fromDefault?.[name];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${file}.${name} is undefined or not exported`), { name: 'HandlerNotFound' });
  }
  return /** @type {(...args: unknown[]) => unknown} */ (fn);
}

/** @param {Record<string, string | string[] | undefined>} h */
function contextOf(h) {
  /** @param {string} name */
  const header = (name) => {
    const value = h[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  const requestId = header('x-fc-request-id');
  /** @param {string} level */
  const log =
    (level) =>
    (/** @type {unknown[]} */ ...args) =>
      requestIds.run(requestId, () => logLine(level, args));
  return {
    requestId,
    credentials: {
      accessKeyId: header('x-fc-access-key-id'),
      accessKeySecret: header('x-fc-access-key-secret'),
      securityToken: header('x-fc-security-token'),
    },
    function: {
      name: header('x-fc-function-name'),
      handler: header('x-fc-function-handler'),
      memory: Number(header('x-fc-function-memory')),
      timeout: Number(header('x-fc-function-timeout')),
      initializer: options['initializer'] ?? '',
    },
    service: {
      name: header('x-fc-service-name'),
      logProject: header('x-fc-service-logproject'),
      logStore: header('x-fc-service-logstore'),
      qualifier: header('x-fc-qualifier'),
      versionId: header('x-fc-version-id'),
    },
    region: header('x-fc-region'),
    accountId: header('x-fc-account-id'),
    instanceId: process.env['FC_INSTANCE_ID'] ?? '',
    logger: { debug: log('DEBUG'), info: log('INFO'), log: log('INFO'), warn: log('WARN'), error: log('ERROR') },
  };
}

/** Calls an async or callback-style function with `args` (+ a callback when it declares one). */
function call(/** @type {(...args: unknown[]) => unknown} */ fn, /** @type {unknown[]} */ args) {
  return new Promise((resolve, reject) => {
    if (fn.length > args.length) {
      fn(...args, (/** @type {unknown} */ error, /** @type {unknown} */ result) =>
        error ? reject(Object.assign(toError(error), { handled: true })) : resolve(result),
      );
      return;
    }
    Promise.resolve()
      .then(() => fn(...args))
      .then(resolve, reject);
  });
}

/** @param {unknown} error */
function toError(error) {
  return error instanceof Error ? error : new Error(typeof error === 'string' ? error : format(error));
}

/** @param {unknown} result */
function serialize(result) {
  if (result === undefined || result === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(result)) return result;
  if (result instanceof Uint8Array) return Buffer.from(result);
  if (typeof result === 'string') return Buffer.from(result);
  return Buffer.from(JSON.stringify(result));
}

/**
 * @typedef {{ status: number, headers: Record<string, string>, body: Buffer }} Answer
 * What the host answers a request with, on either transport.
 */

const EMPTY = Buffer.alloc(0);

/** @param {unknown} raw @param {string} errorType @returns {Answer} */
function failure(raw, errorType) {
  const error = toError(raw);
  const body = JSON.stringify({
    errorMessage: error.message,
    errorType: error.name,
    stackTrace: String(error.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim()),
  });
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-fc-status': '404', 'x-fc-error-type': errorType },
    body: Buffer.from(body),
  };
}

/** @param {http.IncomingMessage} req @returns {Promise<Buffer>} */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Runs `work` between FC's Start and End markers and resolves to its answer once the End marker
 * is queued (see `marker`), which both transports send ahead of the answer: the channel in the
 * answer's own write, the HTTP server after `flushMarkers`. So the emulator has the request's
 * whole log when the answer arrives (log Tail needs no wait for the marker), and the instance is
 * done with the request before the emulator forwards the answer instead of writing to its pipe at
 * the same time. (While output goes to the pipes, see BACKLOG_BYTES, the End marker goes there, so
 * it can come after the answer; the emulator then waits for it.)
 * @param {string} phase @param {string} requestId @param {() => Promise<Answer>} work
 */
async function marked(phase, requestId, work) {
  marker(`FC ${phase} Start RequestId: ${requestId}\n`);
  try {
    return await requestIds.run(requestId, work);
  } finally {
    marker(`FC ${phase} End RequestId: ${requestId}\n`);
  }
}

/**
 * One request from the emulator, whichever way it came.
 * @param {string | undefined} method @param {string | undefined} path
 * @param {Record<string, string | string[] | undefined>} headers @param {Buffer} body
 * @returns {Promise<Answer>}
 */
async function answer(method, path, headers, body) {
  const context = contextOf(headers);
  try {
    if (method === 'POST' && path === '/invoke') {
      return await marked('Invoke', context.requestId, async () => {
        try {
          const handler = await resolveHandler(process.env['FC_FUNCTION_HANDLER'] ?? '');
          const result = serialize(await call(handler, [body, context]));
          return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: result };
        } catch (error) {
          const handled = /** @type {{ handled?: boolean }} */ (error)?.handled === true;
          if (!handled) console.error(toError(error).stack ?? String(error));
          return failure(error, handled ? 'HandledInvocationError' : 'UnhandledInvocationError');
        }
      });
    }
    const hook =
      path === '/initialize' ? options['initializer'] : path === '/pre-stop' ? options['pre-stop'] : undefined;
    if (hook !== undefined) {
      const phase = path === '/initialize' ? 'Initialize' : 'PreStop';
      return await marked(phase, context.requestId, async () => {
        try {
          await call(await resolveHandler(hook), [context]);
          return { status: 200, headers: {}, body: EMPTY };
        } catch (error) {
          console.error(toError(error).stack ?? String(error));
          return failure(error, phase === 'Initialize' ? 'InitializationError' : 'UnhandledInvocationError');
        }
      });
    }
    return { status: 404, headers: {}, body: EMPTY };
  } catch (error) {
    return failure(error, 'UnhandledInvocationError');
  }
}

const server = http.createServer(async (req, res) => {
  if (!fromEmulator(req.headers['x-fcs-instance-secret'])) {
    res.writeHead(403, { 'content-type': 'application/json', connection: 'close' });
    res.end('{"errorMessage":"this instance only answers the emulator","errorType":"AccessDenied"}');
    return;
  }
  delete req.headers['x-fcs-instance-secret'];
  let result;
  try {
    result = await answer(req.method, req.url, req.headers, await readBody(req));
  } catch (error) {
    result = failure(error, 'UnhandledInvocationError');
  }
  flushMarkers();
  res.writeHead(result.status, result.headers);
  res.end(result.body);
});
server.keepAliveTimeout = 600_000;
server.listen(port, '127.0.0.1');

/**
 * Serves requests framed on the channel, a pipe only the emulator holds the other end of. A
 * request is `u32 length | u32 id | u32 head length | head | body`, the head being
 * `METHOD path\r\n` and `name: value\r\n` header lines; an answer is `u32 length | u32 id |
 * u32 status | u32 head length | header lines | body`; output is `u32 length | u32 0 | bytes`.
 * Lengths are little-endian and count what follows them; heads are latin1, as in HTTP/1.1.
 */
function serveChannel() {
  // What has arrived of the frames not read yet, joined only once a whole frame is in: joining at
  // every read copied a large body once per 64 KiB the pipe delivered.
  /** @type {Buffer[]} */
  let chunks = [];
  let bufferedBytes = 0;
  let needed = 4;
  channel.on('data', (/** @type {Buffer} */ chunk) => {
    chunks.push(chunk);
    bufferedBytes += chunk.length;
    if (bufferedBytes < needed) return;
    let buffered = chunks.length === 1 ? chunk : Buffer.concat(chunks, bufferedBytes);
    needed = 4;
    while (buffered.length >= 4) {
      const size = buffered.readUInt32LE(0);
      if (buffered.length < 4 + size) {
        needed = 4 + size;
        break;
      }
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      const id = frame.readUInt32LE(0);
      const headEnd = 8 + frame.readUInt32LE(4);
      const [method, path, headers] = parseHead(frame.toString('latin1', 8, headEnd));
      answer(method, path, headers, frame.subarray(headEnd)).then(
        (result) => sendAnswer(id, result),
        (error) => sendAnswer(id, failure(error, 'UnhandledInvocationError')),
      );
    }
    chunks = buffered.length === 0 ? [] : [buffered];
    bufferedBytes = buffered.length;
  });
}

/** @param {string} head @returns {[string, string, Record<string, string>]} */
function parseHead(head) {
  const lineEnd = head.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? head : head.slice(0, lineEnd);
  const space = requestLine.indexOf(' ');
  /** @type {Record<string, string>} */
  const headers = {};
  let at = lineEnd + 2;
  while (lineEnd >= 0 && at < head.length) {
    let end = head.indexOf('\r\n', at);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', at);
    if (colon > at && colon < end) {
      const name = head.slice(at, colon);
      const value = head.slice(colon + 1, end).trim();
      const existing = headers[name];
      headers[name] = existing === undefined ? value : `${existing}, ${value}`;
    }
    at = end + 2;
  }
  return [requestLine.slice(0, space), requestLine.slice(space + 1), headers];
}

/**
 * Writes the answer to request `id`, after the markers still waiting, in one write; while output
 * goes to the pipes, the markers go there first, after the output they close (the emulator then
 * waits for the End marker, which can come after the answer).
 * @param {number} id @param {Answer} result
 */
function sendAnswer(id, result) {
  if (spilled) spillMarkers();
  const markers = takeMarkers();
  const markersLength = markers === '' ? 0 : 8 + Buffer.byteLength(markers);
  let lines = '';
  for (const name in result.headers) lines += `${name}: ${result.headers[name]}\r\n`;
  const frame = Buffer.allocUnsafe(markersLength + 16 + lines.length + result.body.length);
  if (markersLength > 0) {
    frame.writeUInt32LE(markersLength - 4, 0);
    frame.writeUInt32LE(0, 4);
    frame.write(markers, 8, 'utf8');
  }
  frame.writeUInt32LE(12 + lines.length + result.body.length, markersLength);
  frame.writeUInt32LE(id, markersLength + 4);
  frame.writeUInt32LE(result.status, markersLength + 8);
  frame.writeUInt32LE(lines.length, markersLength + 12);
  frame.write(lines, markersLength + 16, 'latin1');
  result.body.copy(frame, markersLength + 16 + lines.length);
  channel.write(frame);
}

serveChannel();

// The emulator holds our stdin open; when it goes away, so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
