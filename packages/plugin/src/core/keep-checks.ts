import { SESSION_TTL } from '@fc-sessions/client';
import type { FieldOf, Resolved } from '../settings/resolve.js';
import type { SettingKey } from '../settings/settings.js';
import { invalidArgument } from './errors.js';

/**
 * The session TTL when `sessionTTLInSeconds` is not given: FC's default is the maximum (a guess,
 * as in the emulator; a function's own `sessionAffinityConfig` may set less, and a session whose
 * TTL is not longer than `renewBeforeSeconds` is then replaced once lost instead of renewed).
 */
const DEFAULT_TTL = SESSION_TTL.max;

type Checked =
  | 'renewBeforeSeconds'
  | 'graceSeconds'
  | 'keepAlive'
  | 'sessionTTLInSeconds'
  | 'sessionIdleTimeoutInSeconds';

/**
 * The keeper's settings the checks across settings read: `functionNames` when it is known already,
 * `intervalSeconds` unless the interval is not a setting (the keeper on FC runs on its schedule).
 */
export type KeepChecked = Resolved<Checked> & {
  functionNames?: readonly string[] | undefined;
  intervalSeconds?: number | undefined;
};

/**
 * The keeper's checks across settings, before any call; `fieldOf` names a value as it was written
 * (undefined: its default). Each error names the field that was given (of the two a rule is about),
 * its value and the range it may take:
 * - at least one function;
 * - with renewals on (`renewBeforeSeconds` > 0): `renewBeforeSeconds` less than the session TTL (the
 *   default one when none is given), at least `intervalSeconds` (or a session can end between two
 *   reconciles before any of them renews it), and `graceSeconds` at most `renewBeforeSeconds` (a
 *   renewed session ends at its TTL, that long after its renewal, so no longer grace is ever given);
 * - with `keepAlive: invoke` and an idle timeout: `intervalSeconds` less than it (or idle sessions
 *   expire between two reconciles).
 */
export function checkKeepSettings(settings: KeepChecked, fieldOf: FieldOf): void {
  const named = (key: SettingKey) => fieldOf(key) ?? key;
  /** `key (value)`, or `key (value, the default)`: the other side of a rule. */
  const other = (key: SettingKey, value: number, defaultText = 'the default') =>
    `${fieldOf(key) ?? key} (${value}${fieldOf(key) === undefined ? `, ${defaultText}` : ''})`;
  /** The field a rule about `first` and `second` blames: the first one given, else `first`. */
  const blamed = (first: SettingKey, second: SettingKey): SettingKey =>
    fieldOf(first) !== undefined || fieldOf(second) === undefined ? first : second;

  if (settings.functionNames?.length === 0) {
    throw invalidArgument(named('functionNames'), settings.functionNames, 'must name at least one function');
  }
  const { intervalSeconds: interval, renewBeforeSeconds: renew, graceSeconds: grace } = settings;
  const ttl = settings.sessionTTLInSeconds ?? DEFAULT_TTL;
  /** What `renewBeforeSeconds` may be, given the others. */
  const renewRange = () => {
    const low = Math.max(1, interval ?? 1, grace);
    return low < ttl
      ? `0 (never renew) or an integer from ${low} to ${ttl - 1}`
      : `0 (never renew): it must be at least intervalSeconds and graceSeconds (${low}) and less than the TTL (${ttl})`;
  };
  if (renew > 0) {
    if (renew >= ttl) {
      if (blamed('renewBeforeSeconds', 'sessionTTLInSeconds') === 'renewBeforeSeconds') {
        throw invalidArgument(
          named('renewBeforeSeconds'),
          renew,
          `must be less than ${other('sessionTTLInSeconds', ttl, "FC's default")}, or every session would be renewed as ` +
            `soon as it is made: ${renewRange()}`,
        );
      }
      throw invalidArgument(
        named('sessionTTLInSeconds'),
        ttl,
        `must be more than ${other('renewBeforeSeconds', renew)}, or every session would be renewed as soon as it ` +
          `is made: an integer from ${renew + 1} to ${SESSION_TTL.max}, or a lower renewBeforeSeconds (0: never renew)`,
      );
    }
    if (interval !== undefined && interval > renew) {
      if (blamed('intervalSeconds', 'renewBeforeSeconds') === 'intervalSeconds') {
        throw invalidArgument(
          named('intervalSeconds'),
          interval,
          `must be at most ${other('renewBeforeSeconds', renew)}, or a session can reach the end of its TTL between ` +
            `two reconciles without being renewed: an integer from 1 to ${renew}`,
        );
      }
      throw invalidArgument(
        named('renewBeforeSeconds'),
        renew,
        `must be at least ${other('intervalSeconds', interval)}, or a session can reach the end of its TTL between ` +
          `two reconciles without being renewed: ${renewRange()}`,
      );
    }
    if (grace > renew) {
      if (blamed('graceSeconds', 'renewBeforeSeconds') === 'graceSeconds') {
        throw invalidArgument(
          named('graceSeconds'),
          grace,
          `must be at most ${other('renewBeforeSeconds', renew)}: a renewed session ends at its TTL, that long after ` +
            `its renewal, so a longer grace is never given: an integer from 0 to ${renew}`,
        );
      }
      throw invalidArgument(
        named('renewBeforeSeconds'),
        renew,
        `must be at least ${other('graceSeconds', grace)}: a renewed session ends at its TTL, renewBeforeSeconds ` +
          `after its renewal, so its grace would never be given: ${renewRange()}`,
      );
    }
  }
  const idle = settings.sessionIdleTimeoutInSeconds;
  if (settings.keepAlive === 'invoke' && idle !== undefined && idle > 0 && interval !== undefined && interval >= idle) {
    if (blamed('intervalSeconds', 'sessionIdleTimeoutInSeconds') === 'intervalSeconds') {
      throw invalidArgument(
        named('intervalSeconds'),
        interval,
        `must be less than sessionIdleTimeoutInSeconds (${idle}) with keepAlive invoke, or idle sessions expire ` +
          `between two reconciles: an integer from 1 to ${idle - 1}`,
      );
    }
    throw invalidArgument(
      named('sessionIdleTimeoutInSeconds'),
      idle,
      `must be more than ${other('intervalSeconds', interval)} with keepAlive invoke, or idle sessions expire ` +
        `between two reconciles: 0 (no idle timeout) or an integer from ${interval + 1} to ${SESSION_TTL.max}`,
    );
  }
}
