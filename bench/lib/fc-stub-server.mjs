// A minimal FC 3.0 stand-in for throughput runs: answers CreateSession, GetSession and
// InvokeFunction at once with fixed bodies and checks nothing. Prints `listening <port>`.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function session(functionName, sessionId) {
  return JSON.stringify({
    sessionId,
    functionName,
    qualifier: 'LATEST',
    sessionAffinityType: 'HEADER_FIELD',
    sessionTTLInSeconds: 3600,
    sessionIdleTimeoutInSeconds: 600,
    sessionStatus: 'Active',
    containerId: 'c-bench-0001',
    createdTime: now,
    lastModifiedTime: now,
    disableSessionIdReuse: false,
  });
}

const ROUTE = /^\/2023-03-30\/functions\/([^/?]+)\/(sessions|invocations)(?:\/([^/?]+))?/;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const match = ROUTE.exec(req.url ?? '');
    const requestId = `1-${randomBytes(4).toString('hex')}`;
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-acs-request-id': requestId });
      res.end(
        JSON.stringify({ Code: 'NotFound', Message: `no route for ${req.method} ${req.url}`, RequestId: requestId }),
      );
      return;
    }
    const [, functionName, kind, id] = match;
    if (kind === 'invocations' && req.method === 'POST') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'x-fc-request-id': requestId,
        'x-fc-code-checksum': '1234567890',
        'x-fc-instance-id': 'c-bench-0001',
        'x-fc-invocation-service-version': 'LATEST',
      });
      res.end(Buffer.concat(chunks));
      return;
    }
    let sessionId = id;
    if (!sessionId && req.method === 'POST') {
      const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      sessionId = body.sessionId ?? randomBytes(16).toString('hex');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-acs-request-id': requestId });
    res.end(session(decodeURIComponent(functionName), sessionId));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
