// @ts-check
// Runs inside an emulator instance of a nodejs* function. It loads the user's handler and serves
// the custom-runtime protocol the emulator speaks to every instance: POST /initialize,
// POST /invoke, GET /pre-stop, on 127.0.0.1:$FC_CUSTOM_LISTEN_PORT. It prints FC's log markers
// and prefixes console output with `<time> <requestId> [LEVEL]`, as the FC Node.js runtime does.
'use strict';
const { AsyncLocalStorage } = require('node:async_hooks');
const { timingSafeEqual } = require('node:crypto');
const { existsSync } = require('node:fs');
const http = require('node:http');
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

/** @param {http.IncomingHttpHeaders} h */
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

/** @param {http.ServerResponse} res @param {unknown} raw @param {string} errorType */
function fail(res, raw, errorType) {
  const error = toError(raw);
  const body = JSON.stringify({
    errorMessage: error.message,
    errorType: error.name,
    stackTrace: String(error.stack ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim()),
  });
  res.writeHead(200, { 'content-type': 'application/json', 'x-fc-status': '404', 'x-fc-error-type': errorType });
  res.end(body);
}

/** @param {http.IncomingMessage} req */
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
 * Runs `work` between FC's Start and End markers; `work` returns how to answer, and the answer goes
 * out after the End marker. So the emulator has the request's whole log when the answer arrives
 * (log Tail needs no wait for the marker), and the instance is done with the request before the
 * emulator forwards the answer instead of writing to its pipe at the same time.
 * @param {string} phase @param {string} requestId @param {() => Promise<() => void>} work
 */
async function marked(phase, requestId, work) {
  process.stdout.write(`FC ${phase} Start RequestId: ${requestId}\n`);
  let answer;
  try {
    answer = await requestIds.run(requestId, work);
  } finally {
    process.stdout.write(`FC ${phase} End RequestId: ${requestId}\n`);
  }
  answer();
}

const server = http.createServer(async (req, res) => {
  if (!fromEmulator(req.headers['x-fcs-instance-secret'])) {
    res.writeHead(403, { 'content-type': 'application/json', connection: 'close' });
    res.end('{"errorMessage":"this instance only answers the emulator","errorType":"AccessDenied"}');
    return;
  }
  delete req.headers['x-fcs-instance-secret'];
  const context = contextOf(req.headers);
  try {
    if (req.method === 'POST' && req.url === '/invoke') {
      const event = await readBody(req);
      await marked('Invoke', context.requestId, async () => {
        try {
          const handler = await resolveHandler(process.env['FC_FUNCTION_HANDLER'] ?? '');
          const body = serialize(await call(handler, [event, context]));
          return () => {
            res.writeHead(200, { 'content-type': 'application/octet-stream' });
            res.end(body);
          };
        } catch (error) {
          const handled = /** @type {{ handled?: boolean }} */ (error)?.handled === true;
          if (!handled) console.error(toError(error).stack ?? String(error));
          return () => fail(res, error, handled ? 'HandledInvocationError' : 'UnhandledInvocationError');
        }
      });
      return;
    }
    const hook =
      req.url === '/initialize' ? options['initializer'] : req.url === '/pre-stop' ? options['pre-stop'] : undefined;
    if (hook !== undefined) {
      await readBody(req);
      const phase = req.url === '/initialize' ? 'Initialize' : 'PreStop';
      await marked(phase, context.requestId, async () => {
        try {
          await call(await resolveHandler(hook), [context]);
          return () => {
            res.writeHead(200);
            res.end();
          };
        } catch (error) {
          console.error(toError(error).stack ?? String(error));
          return () => fail(res, error, phase === 'Initialize' ? 'InitializationError' : 'UnhandledInvocationError');
        }
      });
      return;
    }
    res.writeHead(404);
    res.end();
  } catch (error) {
    fail(res, error, 'UnhandledInvocationError');
  }
});
server.keepAliveTimeout = 600_000;
server.listen(port, '127.0.0.1');

// The emulator holds our stdin open; when it goes away, so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => server.close(() => process.exit(0)));
