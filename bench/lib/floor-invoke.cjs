// The floor under `fcs invoke`, run by the cli group: what any Node.js command line does for the
// same call and no more. Loads node:http and node:crypto, sends one ACS3-HMAC-SHA256-signed Sync
// InvokeFunction (the session header FLOOR_SESSION_ID, the log tail asked for) to $FCS_ENDPOINT
// with the keys from AccessKeyID / AccessKeySecret, prints the answer and exits (1 unless 200).
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const { FCS_ENDPOINT, AccessKeyID, AccessKeySecret, FLOOR_FUNCTION, FLOOR_SESSION_ID } = process.env;
const url = new URL(`/2023-03-30/functions/${FLOOR_FUNCTION}/invocations`, FCS_ENDPOINT);
const body = 'hi';
const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');
const signed = {
  host: url.host,
  'content-type': 'application/octet-stream',
  'x-acs-action': 'InvokeFunction',
  'x-acs-version': '2023-03-30',
  'x-acs-date': `${new Date().toISOString().slice(0, 19)}Z`,
  'x-acs-signature-nonce': crypto.randomBytes(16).toString('hex'),
  'x-acs-content-sha256': sha256(body),
};
const names = Object.keys(signed).sort();
const canonical = `POST\n${url.pathname}\n\n${names.map((n) => `${n}:${signed[n]}\n`).join('')}\n${names.join(';')}\n${signed['x-acs-content-sha256']}`;
const signature = crypto
  .createHmac('sha256', AccessKeySecret)
  .update(`ACS3-HMAC-SHA256\n${sha256(canonical)}`)
  .digest('hex');
const headers = {
  ...signed,
  authorization: `ACS3-HMAC-SHA256 Credential=${AccessKeyID},SignedHeaders=${names.join(';')},Signature=${signature}`,
  'x-fc-log-type': 'Tail',
  'x-session-id': FLOOR_SESSION_ID,
};
http
  .request(url, { method: 'POST', headers }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      text += chunk;
    });
    res.on('end', () => {
      if (res.statusCode !== 200) process.exitCode = 1;
      process.stdout.write(`${res.statusCode} ${text}\n`);
    });
  })
  .end(body);
