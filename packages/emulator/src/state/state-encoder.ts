import type { SessionRecord, StateFile } from './records.js';

interface Encoded {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly bytes: Buffer;
}

const COMMA = Buffer.from(',');

function sameFields(before: Readonly<Record<string, unknown>>, record: object): boolean {
  let count = 0;
  for (const key in record) {
    if (before[key] !== (record as Record<string, unknown>)[key]) return false;
    count++;
  }
  return count === Object.keys(before).length;
}

/**
 * Turns the state into the bytes of `state.json`, exactly `JSON.stringify(state)`, but encodes a
 * session record again only when one of its fields changed since the last call: with thousands of
 * sessions, most writes change a few of them. Fields are compared by identity, which is why a
 * record's nested objects are replaced, never changed in place.
 */
export class StateEncoder {
  private readonly sessions = new WeakMap<SessionRecord, Encoded>();

  encode(state: StateFile): Buffer {
    const parts: Buffer[] = [
      Buffer.from(
        `{"version":${JSON.stringify(state.version)},"functions":${JSON.stringify(state.functions)}${
          state.triggers === undefined ? '' : `,"triggers":${JSON.stringify(state.triggers)}`
        },"sessions":[`,
      ),
    ];
    state.sessions.forEach((record, index) => {
      if (index > 0) parts.push(COMMA);
      parts.push(this.session(record));
    });
    parts.push(
      Buffer.from(
        `],"retiredSessionIds":${JSON.stringify(state.retiredSessionIds)}${
          state.journal === undefined ? '' : `,"journal":${state.journal}`
        }}`,
      ),
    );
    return Buffer.concat(parts);
  }

  /** `JSON.stringify(record)`, from the cache while the record's fields are the same. */
  session(record: SessionRecord): Buffer {
    const known = this.sessions.get(record);
    if (known && sameFields(known.fields, record)) return known.bytes;
    const bytes = Buffer.from(JSON.stringify(record));
    this.sessions.set(record, { fields: { ...record }, bytes });
    return bytes;
  }
}
