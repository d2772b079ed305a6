/** A nodejs20 handler that reports where it ran; "throw", "crash" and "sleep" events misbehave on purpose. */
export const NODE_HANDLER = `
let count = 0;
let initializedAt = 0;
exports.initialize = async (context) => {
  initializedAt = Date.now();
  console.log('initializer ran for ' + context.function.name);
};
exports.preStop = async () => {
  console.log('pre-stop ran');
};
exports.handler = async (event, context) => {
  count++;
  const text = Buffer.isBuffer(event) ? event.toString() : String(event);
  console.log('handling ' + text);
  if (text === 'throw') throw new TypeError('boom');
  if (text === 'crash') process.exit(3);
  if (text === 'sleep') await new Promise((resolve) => setTimeout(resolve, 60000));
  return {
    instanceId: process.env.FC_INSTANCE_ID,
    count,
    event: text,
    requestId: context.requestId,
    functionName: context.function.name,
    accountId: context.accountId,
    initialized: initializedAt > 0,
    env: { FC_FUNCTION_NAME: process.env.FC_FUNCTION_NAME, GREETING: process.env.GREETING },
  };
};
`;

/** A nodejs handler behind the HTTP trigger: answers FC's {statusCode, headers, body}. */
export const NODE_HTTP_HANDLER = `
exports.handler = async (event) => {
  const request = JSON.parse(event.toString());
  return {
    statusCode: 201,
    headers: { 'content-type': 'application/json', 'x-handler': 'node' },
    body: JSON.stringify({ instanceId: process.env.FC_INSTANCE_ID, path: request.rawPath, method: request.requestContext.http.method, query: request.queryParameters, body: request.body, version: request.version }),
  };
};
`;

/** A custom-runtime server: a tiny node http server on $FC_CUSTOM_LISTEN_PORT. */
export const CUSTOM_SERVER = `
const http = require('node:http');
let count = 0;
let initialized = false;
http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const requestId = req.headers['x-fc-request-id'];
      if (req.url === '/initialize') {
        initialized = true;
        console.log('custom initializer');
        res.end();
        return;
      }
      if (req.url === '/pre-stop') {
        console.log('custom pre-stop');
        res.end();
        return;
      }
      count++;
      console.log('FC Invoke Start RequestId: ' + requestId);
      console.log('custom got ' + body);
      console.log('FC Invoke End RequestId: ' + requestId);
      if (body === 'fail') res.setHeader('x-fc-status', '404');
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-custom', 'yes');
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(FC_|ALIBABA_CLOUD_|FCS_)/.test(name)));
      res.end(JSON.stringify({ instanceId: process.env.FC_INSTANCE_ID, count, initialized, method: req.method, url: req.url, body, headers: req.headers, env }));
    });
  })
  .listen(Number(process.env.FC_CUSTOM_LISTEN_PORT), '0.0.0.0');
`;
