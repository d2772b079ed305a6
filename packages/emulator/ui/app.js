// @ts-check
// The emulator's dashboard: renders what GET /_emulator/events pushes (server-sent events) and
// drives the admin API for the session and fault controls. Plain browser JavaScript, no build step.

/** @typedef {Record<string, any>} Json */

const MAX_INVOCATIONS = 200;
/** @type {Json | undefined} */
let state;
/** @type {Json[]} */
const invocations = [];
/** @type {Set<string>} */
const openLogs = new Set();

/**
 * @param {string} tag
 * @param {Record<string, string> | null} [attributes]
 * @param {...(Node | string | number | null | undefined)} children
 */
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) element.setAttribute(name, value);
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @param {string} id
 * @param {string[]} headings
 * @param {HTMLElement[]} rows
 * @param {string} empty
 */
function table(id, headings, rows, empty) {
  const target = byId(id);
  byId(`${id}-count`).textContent = String(rows.length);
  target.replaceChildren(
    rows.length === 0
      ? h('p', { class: 'empty' }, empty)
      : h(
          'table',
          null,
          h('thead', null, h('tr', null, ...headings.map((t) => h('th', null, t)))),
          h('tbody', null, ...rows),
        ),
  );
}

/** @param {unknown} value */
function text(value) {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(text).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** @param {number | null} endMs */
function countdown(endMs) {
  if (endMs === null || endMs === undefined) return '-';
  const seconds = Math.max(0, Math.round((endMs - Date.now()) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** @param {number | null} endMs */
const countdownCell = (endMs) =>
  h('td', { class: 'countdown mono', 'data-end': String(endMs ?? '') }, countdown(endMs));

/** @param {string} iso */
function since(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds}s ago` : `${Math.round(seconds / 60)}m ago`;
}

const FUNCTION_COLUMNS = ['functionName', 'runtime', 'sessionAffinity', 'handler', 'memorySize', 'instanceConcurrency'];
const FUNCTION_HIDDEN = new Set([...FUNCTION_COLUMNS, 'functionArn', 'functionId', 'state', 'lastUpdateStatus']);

/** Known columns, then versions/aliases (any array the registry reports), then every other field in a details row. */
function renderFunctions() {
  const functions = /** @type {Json[]} */ (state?.['functions'] ?? []);
  const listed = new Set();
  for (const fn of functions)
    for (const [key, value] of Object.entries(fn))
      if (Array.isArray(value) && !FUNCTION_HIDDEN.has(key)) listed.add(key);
  const lists = [...listed].filter((key) => key !== 'environmentVariables');
  const rows = functions.map((fn) => {
    const rest = Object.entries(fn).filter(([key]) => !FUNCTION_HIDDEN.has(key) && !lists.includes(key));
    return h(
      'tr',
      { 'data-function': fn['functionName'] },
      ...FUNCTION_COLUMNS.map((key) => h('td', { class: key === 'functionName' ? 'mono' : '' }, text(fn[key]))),
      ...lists.map((key) => h('td', null, text(fn[key]))),
      h(
        'td',
        null,
        h(
          'details',
          null,
          h('summary', null, 'more'),
          h('pre', null, rest.map(([k, v]) => `${k}: ${text(v)}`).join('\n')),
        ),
      ),
    );
  });
  table(
    'functions',
    ['name', 'runtime', 'affinity', 'handler', 'memory', 'concurrency', ...lists, ''],
    rows,
    'No functions yet.',
  );
}

function renderInstances() {
  const instances = /** @type {Json[]} */ (state?.['instances'] ?? []);
  const rows = instances.map((i) =>
    h(
      'tr',
      { 'data-instance': i['instanceId'] },
      h('td', { class: 'mono' }, i['instanceId']),
      h('td', null, i['functionName']),
      h('td', null, text(i['versionId'])),
      h('td', null, i['state']),
      h('td', { class: 'mono' }, text(i['pid'])),
      h('td', { class: 'since', 'data-since': i['startedTime'] }, since(i['startedTime'])),
      h('td', null, i['requestsServed']),
      h('td', null, `${i['activeRequests']} / ${i['queuedRequests']}`),
      h('td', null, text(i['sessions'].length)),
      h('td', null, `${Number(i['maxMemoryMb']).toFixed(1)} MB`),
    ),
  );
  table(
    'instances',
    ['instance', 'function', 'version', 'state', 'pid', 'started', 'served', 'active / queued', 'sessions', 'memory'],
    rows,
    'No instances running.',
  );
}

/**
 * @param {string} label
 * @param {string} action
 * @param {Json} session
 */
function sessionButton(label, action, session) {
  const button = h('button', { type: 'button', 'data-action': action }, label);
  button.addEventListener('click', () => void controlSession(action, session));
  return button;
}

function renderSessions() {
  const sessions = /** @type {Json[]} */ (state?.['sessions'] ?? []);
  const rows = sessions.map((s) =>
    h(
      'tr',
      { 'data-session': `${s['functionName']}/${s['sessionId']}` },
      h('td', { class: 'mono' }, s['sessionId']),
      h('td', null, s['functionName']),
      h('td', null, s['qualifier']),
      h('td', { class: 'mono' }, text(s['boundInstance'] ?? s['containerId'])),
      countdownCell(s['sessionStatus'] === 'Expired' ? null : s['ttlEndsMs']),
      countdownCell(s['idleEndsMs']),
      h('td', { class: `status-${s['sessionStatus']}` }, s['sessionStatus']),
      h('td', { title: 'the emulator cannot tell which sessions a plugin prefetched' }, s['prefetched']),
      h(
        'td',
        null,
        s['sessionStatus'] === 'Active' ? sessionButton('Pause', 'pause', s) : null,
        s['sessionStatus'] === 'Paused' ? sessionButton('Resume', 'resume', s) : null,
        sessionButton('Delete', 'delete', s),
      ),
    ),
  );
  table(
    'sessions',
    ['session', 'function', 'qualifier', 'instance', 'TTL left', 'idle left', 'status', 'prefetched', ''],
    rows,
    'No sessions.',
  );
}

function renderFaults() {
  byId('faults-current').textContent = `current: ${JSON.stringify(state?.['faults'] ?? { rules: [] })}`;
}

/** @param {Json} event */
function invocationRows(event) {
  const failed = event['status'] >= 400 || event['errorType'];
  const row = h(
    'tr',
    { 'data-request': event['requestId'] },
    h('td', { class: 'mono' }, event['requestId']),
    h('td', null, text(event['functionName'])),
    h('td', { class: 'mono' }, text(event['sessionId'])),
    h('td', { class: 'mono' }, text(event['instanceId'])),
    h('td', null, `${event['durationMs']} ms`),
    h(
      'td',
      { class: failed ? 'bad' : 'ok' },
      event['errorType'] ? `${event['status']} ${event['errorType']}` : event['status'],
    ),
    h('td', null, `${event['logs'].length} lines`),
  );
  row.addEventListener('click', () => {
    if (openLogs.has(event['requestId'])) openLogs.delete(event['requestId']);
    else openLogs.add(event['requestId']);
    renderInvocations();
  });
  if (!openLogs.has(event['requestId'])) return [row];
  const logs = h(
    'tr',
    null,
    h('td', { colspan: '7' }, h('pre', { class: 'logs mono' }, event['logs'].join('\n') || '(no output)')),
  );
  return [row, logs];
}

function renderInvocations() {
  table(
    'invocations',
    ['request', 'function', 'session', 'instance', 'duration', 'status', 'log (click)'],
    invocations.flatMap(invocationRows),
    'Invocations appear here as they finish.',
  );
  byId('invocations-count').textContent = String(invocations.length);
}

/** @type {Record<string, string>} */
const rendered = {};

/**
 * Renders a panel only when its data changed, so a button is not replaced under the pointer.
 * @param {string} key
 * @param {() => void} render
 */
function renderIfChanged(key, render) {
  const text = JSON.stringify(state?.[key]);
  if (rendered[key] === text) return;
  rendered[key] = text;
  render();
}

function renderAll() {
  byId('endpoint').textContent = state ? `${state['endpoint']}  account ${state['accountId']}  ${state['region']}` : '';
  renderIfChanged('functions', renderFunctions);
  renderIfChanged('instances', renderInstances);
  renderIfChanged('sessions', renderSessions);
  renderIfChanged('faults', renderFaults);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 */
async function admin(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new Error(answer.Message ?? `${method} ${path} answered ${response.status}`);
  }
}

/**
 * @param {string} action
 * @param {Json} session
 */
async function controlSession(action, session) {
  const path = `/_emulator/sessions/${encodeURIComponent(session['functionName'])}/${encodeURIComponent(session['sessionId'])}`;
  try {
    if (action === 'delete') await admin('DELETE', path);
    else await admin('PUT', `${path}/${action}`);
  } catch (error) {
    showError(/** @type {Error} */ (error).message);
  }
}

/** @param {string} message */
function showError(message) {
  const target = byId('faults-error');
  target.textContent = message;
  target.hidden = message === '';
}

function setFaults(/** @type {SubmitEvent} */ event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.target);
  const data = new FormData(form);
  /** @type {Json} */
  const rule = {};
  for (const name of ['latencyMs', 'throttleRate', 'unavailableRate', 'dropRate']) {
    const value = String(data.get(name) ?? '');
    if (value !== '') rule[name] = Number(value);
  }
  const action = String(data.get('action') ?? '').trim();
  if (action !== '') rule['action'] = action;
  const seed = String(data.get('seed') ?? '');
  const config = { rules: Object.keys(rule).length > 0 ? [rule] : [], ...(seed !== '' ? { seed: Number(seed) } : {}) };
  admin('PUT', '/_emulator/faults', config).then(
    () => showError(''),
    (error) => showError(error.message),
  );
}

function connect() {
  const connection = byId('connection');
  const events = new EventSource('/_emulator/events');
  events.addEventListener('open', () => {
    connection.dataset['state'] = 'live';
    connection.textContent = 'live';
  });
  events.addEventListener('error', () => {
    connection.dataset['state'] = 'reconnecting';
    connection.textContent = 'reconnecting';
  });
  events.addEventListener('snapshot', (message) => {
    state = JSON.parse(message.data);
    renderAll();
  });
  events.addEventListener('invocation', (message) => {
    const event = JSON.parse(message.data);
    if (invocations.some((known) => known['requestId'] === event['requestId'])) return;
    invocations.unshift(event);
    if (invocations.length > MAX_INVOCATIONS) invocations.pop();
    renderInvocations();
  });
  events.addEventListener('log', (message) => {
    const { requestId, line } = JSON.parse(message.data);
    const event = invocations.find((known) => known['requestId'] === requestId);
    if (!event) return;
    event['logs'].push(line);
    renderInvocations();
  });
}

function tick() {
  for (const cell of document.querySelectorAll('td.countdown')) {
    const end = /** @type {HTMLElement} */ (cell).dataset['end'];
    cell.textContent = end ? countdown(Number(end)) : '-';
  }
  for (const cell of document.querySelectorAll('td.since')) {
    cell.textContent = since(/** @type {HTMLElement} */ (cell).dataset['since'] ?? '');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  byId('faults-form').addEventListener('submit', setFaults);
  byId('faults-clear').addEventListener('click', () => {
    admin('DELETE', '/_emulator/faults').then(
      () => showError(''),
      (error) => showError(error.message),
    );
  });
  renderInvocations();
  connect();
  setInterval(tick, 1000);
});
