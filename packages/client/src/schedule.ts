import { invalid } from './validate.js';

/**
 * A timer trigger's `cronExpression` in FC's two forms: `@every <duration>` (Go-style, e.g.
 * `@every 5m`, `@every 1h30m`, `@every 1.5h`) or six cron fields `seconds minutes hours
 * day-of-month month day-of-week`, in UTC unless prefixed by `CRON_TZ=<IANA zone> `.
 */
export type Schedule =
  | { readonly kind: 'every'; readonly intervalSeconds: number }
  | { readonly kind: 'cron'; readonly fields: readonly CronField[]; readonly timeZone: string | undefined };

/** One cron field: the values it allows, and whether it was `*` or `?` (for the day-of-month / day-of-week rule). */
export interface CronField {
  readonly allowed: ReadonlySet<number>;
  readonly any: boolean;
}

const FIELDS = [
  { name: 'seconds', min: 0, max: 59 },
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

const UNIT_SECONDS: Readonly<Record<string, number>> = { h: 3600, m: 60, s: 1 };
const FORMS =
  '"@every <duration>" (e.g. @every 5m) or six cron fields: seconds minutes hours day-of-month month day-of-week';

/** Parses a `cronExpression`; the error names `field` and says which part is wrong. */
export function parseSchedule(expression: unknown, field = 'cronExpression'): Schedule {
  if (typeof expression !== 'string' || expression.trim() === '') throw invalid(field, expression, `must be ${FORMS}`);
  const text = expression.trim();
  if (text.startsWith('@every')) return { kind: 'every', intervalSeconds: parseEvery(text, field) };
  let rest = text;
  let timeZone: string | undefined;
  const zone = /^CRON_TZ=(\S+)\s+(.*)$/.exec(text);
  if (zone) {
    timeZone = zone[1]!;
    rest = zone[2]!;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      throw invalid(field, expression, `names an unknown time zone ${JSON.stringify(timeZone)}`);
    }
  }
  const parts = rest.split(/\s+/);
  if (parts.length !== FIELDS.length) throw invalid(field, expression, `must be ${FORMS}`);
  return {
    kind: 'cron',
    timeZone,
    fields: parts.map((part, i) => parseField(part, FIELDS[i]!, field, expression)),
  };
}

function parseEvery(text: string, field: string): number {
  const duration = /^@every\s+(\S+)$/.exec(text)?.[1];
  const units = duration?.match(/\d+(?:\.\d+)?[hms]/g);
  if (!duration || !units || units.join('') !== duration)
    throw invalid(field, text, 'must be "@every <duration>" with h, m and s units (e.g. @every 5m, @every 1h30m)');
  const seconds = units.reduce((sum, unit) => sum + Number(unit.slice(0, -1)) * UNIT_SECONDS[unit.slice(-1)]!, 0);
  if (!Number.isInteger(seconds) || seconds < 1)
    throw invalid(field, text, 'must be a whole number of seconds, at least 1s');
  return seconds;
}

function parseField(part: string, spec: (typeof FIELDS)[number], field: string, expression: string): CronField {
  const bad = (why: string) => invalid(field, expression, `${spec.name} field "${part}" ${why}`);
  const value = (token: string): number => {
    const index = 'names' in spec ? (spec.names as readonly string[]).indexOf(token.toUpperCase()) : -1;
    const n = index >= 0 ? index + spec.min : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!(n >= spec.min && n <= spec.max)) throw bad(`must hold values from ${spec.min} to ${spec.max}`);
    return n;
  };
  const allowed = new Set<number>();
  let any = false;
  for (const item of part.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (range === undefined || extra !== undefined) throw bad('is not a cron field');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw bad('has a step that is not a positive integer');
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      if (range === '?' && spec.name !== 'day-of-month' && spec.name !== 'day-of-week')
        throw bad('may use "?" only in day-of-month or day-of-week');
      any ||= stepText === undefined;
      [low, high] = [spec.min, spec.max];
    } else if (range.includes('-')) {
      const [from, to] = range.split('-');
      [low, high] = [value(from ?? ''), value(to ?? '')];
      if (low > high) throw bad('has a range that ends before it starts');
    } else {
      low = value(range);
      high = stepText === undefined ? low : spec.max;
    }
    for (let n = low; n <= high; n += step) allowed.add(n);
  }
  return { allowed, any };
}

const MAX_SEARCH_DAYS = 366 * 5;

/**
 * The first time after `afterMs` (exclusive, whole seconds) that the schedule fires, or undefined
 * if a cron schedule never matches within five years (e.g. `0 0 0 31 2 *`). `@every` counts from
 * `anchorMs` (when the trigger was created or last changed).
 */
export function nextFire(schedule: Schedule, afterMs: number, anchorMs = afterMs): number | undefined {
  if (schedule.kind === 'every') {
    const period = schedule.intervalSeconds * 1000;
    const elapsed = Math.max(0, afterMs - anchorMs);
    return anchorMs + (Math.floor(elapsed / period) + 1) * period;
  }
  const [sec, min, hour, dom, month, dow] = schedule.fields as [
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
    CronField,
  ];
  const wall = wallClock(schedule.timeZone);
  let t = Math.floor(afterMs / 1000) * 1000 + 1000;
  const limit = afterMs + MAX_SEARCH_DAYS * 86_400_000;
  while (t <= limit) {
    const w = wall.parts(t);
    const dayMatches =
      dom.any || dow.any
        ? dom.allowed.has(w.day) && dow.allowed.has(w.weekday)
        : dom.allowed.has(w.day) || dow.allowed.has(w.weekday);
    let next: number;
    if (!month.allowed.has(w.month)) next = wall.toUtc(w.year, w.month + 1, 1, 0, 0, 0);
    else if (!dayMatches) next = wall.toUtc(w.year, w.month, w.day + 1, 0, 0, 0);
    else if (!hour.allowed.has(w.hour)) next = wall.toUtc(w.year, w.month, w.day, w.hour + 1, 0, 0);
    else if (!min.allowed.has(w.minute)) next = wall.toUtc(w.year, w.month, w.day, w.hour, w.minute + 1, 0);
    else if (!sec.allowed.has(w.second)) next = t + 1000;
    else return t;
    // A daylight-saving change can map a wall-clock time back before `t`: always move forward.
    t = next > t ? next : t + 1000;
  }
  return undefined;
}

interface WallParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** Wall-clock fields of an instant in a zone (UTC when none), and back (with the zone's offset at that instant). */
function wallClock(timeZone: string | undefined): {
  parts(ms: number): WallParts;
  toUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number;
} {
  if (timeZone === undefined) {
    return {
      parts: (ms) => {
        const d = new Date(ms);
        return {
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          weekday: d.getUTCDay(),
        };
      },
      toUtc: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h, mi, s),
    };
  }
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts = (ms: number): WallParts => {
    const p = Object.fromEntries(format.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
    const [year, month, day] = [p['year']!, p['month']!, p['day']!];
    return {
      year,
      month,
      day,
      hour: p['hour']!,
      minute: p['minute']!,
      second: p['second']!,
      weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    };
  };
  return {
    parts,
    toUtc: (y, mo, d, h, mi, s) => {
      const guess = Date.UTC(y, mo - 1, d, h, mi, s);
      const w = parts(guess);
      return guess - (Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - guess);
    },
  };
}
