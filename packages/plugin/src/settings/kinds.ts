import { parseSchedule, type TextRule, validateMountConfig } from '@fc-sessions/client';
import * as v from 'valibot';
import { isPlainObject } from '../core/check.js';
import { invalidArgument, missingArgument } from '../core/errors.js';
import { checkTemplate } from '../core/template.js';

/**
 * What kind of value a setting holds: its schema (types and JSON Schema come from it), the rule
 * shown in errors and help, how a command-line or environment text becomes the value, and the
 * checks a schema cannot say (nested fields named in the error).
 */
export interface Kind<T> {
  readonly schema: v.GenericSchema<T>;
  /** e.g. `must be an integer from 1 to 64`. */
  readonly rule: string;
  /** e.g. `<n>` in help. */
  readonly placeholder: string;
  /** How the parser treats the flag: a value, a bare switch, or a repeatable value. */
  readonly flag: 'value' | 'switch' | 'list';
  fromText(text: string): unknown;
  /** Instead of the schema: checks that name the nested field that is wrong (throw, naming `field`). */
  check?(field: string, value: unknown): void;
}

const asIs = (text: string): unknown => text;

export function integer(min: number, max: number, placeholder = '<n>'): Kind<number> {
  return {
    schema: v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max)),
    rule: `must be an integer from ${min} to ${max}`,
    placeholder,
    flag: 'value',
    fromText: (text) => (/^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text),
  };
}

export function text(placeholder: string, pattern?: TextRule): Kind<string> {
  return {
    schema: pattern ? v.pipe(v.string(), v.regex(pattern.pattern)) : v.pipe(v.string(), v.minLength(1)),
    rule: pattern?.rule ?? 'must be a non-empty string',
    placeholder,
    flag: 'value',
    fromText: asIs,
  };
}

export function choice<const T extends readonly [string, ...string[]]>(values: T): Kind<T[number]> {
  return {
    schema: v.picklist(values),
    rule: `must be one of ${values.join(', ')}`,
    placeholder: `<${values.join('|')}>`,
    flag: 'value',
    fromText: asIs,
  };
}

export const boolean: Kind<boolean> = {
  schema: v.boolean(),
  rule: 'must be true or false',
  placeholder: '',
  flag: 'switch',
  fromText: (text) => (text === 'true' ? true : text === 'false' ? false : text),
};

export function list(placeholder: string, item?: TextRule): Kind<string[]> {
  return {
    schema: v.array(item ? v.pipe(v.string(), v.regex(item.pattern)) : v.string()),
    rule: item ? `must be a list; each ${item.rule}` : 'must be a list of strings',
    placeholder,
    flag: 'list',
    fromText: (text) => [text],
  };
}

function fromJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A session mount config (`nasConfig`, ...): the client's checks, and `{index}`-style templates. */
export function mount(kind: 'nasConfig' | 'ossMountConfig' | 'polarFsConfig'): Kind<Record<string, unknown>> {
  return {
    schema: v.looseObject({ mountPoints: v.optional(v.array(v.looseObject({}))) }),
    rule: 'must be a JSON object',
    placeholder: '<json>',
    flag: 'value',
    fromText: fromJson,
    check(field, value) {
      if (!isPlainObject(value)) throw invalidArgument(field, value, 'must be a JSON object');
      validateMountConfig(kind, value, field);
      checkTemplate(field, value);
    },
  };
}

/** A timer trigger's schedule: `@every <duration>` or six cron fields (the client's parser names what is wrong). */
export const schedule: Kind<string> = {
  schema: v.string(),
  rule: 'must be "@every <duration>" (e.g. @every 5m) or six cron fields',
  placeholder: '<schedule>',
  flag: 'value',
  fromText: asIs,
  check(field, value) {
    parseSchedule(value, field);
  },
};

/** One field of a `fields` kind. */
export interface Field {
  kind: Kind<unknown>;
  doc: string;
  required?: boolean;
}

type FieldsValue<F extends Record<string, Field>> = {
  [K in keyof F as F[K] extends { required: true } ? K : never]: F[K]['kind'] extends Kind<infer T> ? T : never;
} & {
  [K in keyof F as F[K] extends { required: true } ? never : K]?: F[K]['kind'] extends Kind<infer T> ? T : never;
};

/** A mapping of named fields, each of its own kind; an error names the nested field (`args.keeper.schedule`). */
export function fields<const F extends Record<string, Field>>(declared: F): Kind<FieldsValue<F>> & { fields: F } {
  const names = Object.keys(declared);
  return {
    fields: declared,
    schema: v.looseObject({}) as unknown as v.GenericSchema<FieldsValue<F>>,
    rule: `must be a mapping of ${names.join(', ')}`,
    placeholder: '<json>',
    flag: 'value',
    fromText: fromJson,
    check(field, value) {
      if (!isPlainObject(value)) throw invalidArgument(field, value, `must be a mapping of ${names.join(', ')}`);
      for (const [key, item] of Object.entries(value)) {
        const one = declared[key];
        if (!one) throw invalidArgument(`${field}.${key}`, item, `is not a known field (known: ${names.join(', ')})`);
        if (item === undefined || item === null) continue;
        if (one.kind.check) one.kind.check(`${field}.${key}`, item);
        else if (!v.is(one.kind.schema, item)) throw invalidArgument(`${field}.${key}`, item, one.kind.rule);
      }
      for (const [key, one] of Object.entries(declared)) {
        if (one.required && (value[key] === undefined || value[key] === null)) {
          throw missingArgument(`${field}.${key}`, one.doc);
        }
      }
    },
  };
}
