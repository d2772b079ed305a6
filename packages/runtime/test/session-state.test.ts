import { fc3Headers, SESSION } from '@fc-sessions/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSessionState, readRequest, runWithRequest } from '../src/index.js';

interface Cart {
  items: string[];
}

function inSession<T>(sessionId: string | undefined, fn: () => T): T {
  const headers = sessionId === undefined ? fc3Headers : { ...fc3Headers, [SESSION.header]: sessionId };
  return runWithRequest(readRequest(headers, { header: SESSION.header, env: {} }), fn);
}

describe('createSessionState', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a value per session id', () => {
    const carts = createSessionState<Cart>();
    carts.set('a', { items: ['x'] }).set('b', { items: [] });
    expect(carts.get('a')).toEqual({ items: ['x'] });
    expect(carts.has('b')).toBe(true);
    expect(carts.get('c')).toBeUndefined();
    expect(carts.size).toBe(2);
  });

  it('forgets a session after its idle timeout, and each use restarts the clock', () => {
    const carts = createSessionState<Cart>({ idleTimeoutSeconds: 60 });
    carts.set('a', { items: [] }).set('b', { items: [] });
    vi.advanceTimersByTime(40_000);
    expect(carts.get('a')).toBeDefined();
    vi.advanceTimersByTime(40_000);
    expect(carts.has('a')).toBe(true);
    expect(carts.has('b')).toBe(false);
    vi.advanceTimersByTime(20_001);
    expect(carts.size).toBe(0);
  });

  it('forgets the least recently used session beyond maxSessions', () => {
    const evicted: string[] = [];
    const carts = createSessionState<number>({ maxSessions: 2, onEvict: (_value, id) => evicted.push(id) });
    carts.set('a', 1).set('b', 2);
    carts.get('a');
    carts.set('c', 3);
    expect([carts.has('a'), carts.has('b'), carts.has('c')]).toEqual([true, false, true]);
    expect(evicted).toEqual(['b']);
  });

  it('tells onEvict about idle, replaced, deleted and cleared values', () => {
    const evicted: Array<[number, string]> = [];
    const state = createSessionState<number>({
      idleTimeoutSeconds: 1,
      onEvict: (value, id) => evicted.push([value, id]),
    });
    state.set('idle', 1);
    vi.advanceTimersByTime(1_001);
    state.set('kept', 2).set('kept', 3).set('kept', 3);
    expect(state.delete('kept')).toBe(true);
    expect(state.delete('kept')).toBe(false);
    state.set('x', 4).set('y', 5).clear();
    expect(evicted).toEqual([
      [1, 'idle'],
      [2, 'kept'],
      [3, 'kept'],
      [4, 'x'],
      [5, 'y'],
    ]);
    expect(state.size).toBe(0);
  });

  it("current() gives the current request's session value, made once by create", () => {
    const create = vi.fn((): Cart => ({ items: [] }));
    const carts = createSessionState<Cart>({ create });
    inSession('s1', () => carts.current()?.items.push('apple'));
    inSession('s2', () => carts.current()?.items.push('pear'));
    inSession('s1', () => carts.current()?.items.push('plum'));
    expect(carts.get('s1')?.items).toEqual(['apple', 'plum']);
    expect(carts.get('s2')?.items).toEqual(['pear']);
    expect(create).toHaveBeenCalledTimes(2);
    expect(create).toHaveBeenCalledWith('s1');
  });

  it('current() is undefined outside a session, and without create for a new session', () => {
    const carts = createSessionState<Cart>({ create: () => ({ items: [] }) });
    expect(carts.current()).toBeUndefined();
    expect(inSession(undefined, () => carts.current())).toBeUndefined();
    expect(inSession('s1', () => createSessionState<Cart>().current())).toBeUndefined();
  });

  it.each([
    [{ idleTimeoutSeconds: 0 }, /idleTimeoutSeconds must be a number of seconds above 0 and at most 21600 \(got 0\)/],
    [{ idleTimeoutSeconds: 21_601 }, /idleTimeoutSeconds .* \(got 21601\)/],
    [{ idleTimeoutSeconds: Number.NaN }, /idleTimeoutSeconds .* \(got NaN\)/],
    [{ maxSessions: 0 }, /maxSessions must be an integer of at least 1 \(got 0\)/],
    [{ maxSessions: 1.5 }, /maxSessions .* \(got 1.5\)/],
  ])('rejects bad options %o', (options, message) => {
    expect(() => createSessionState(options)).toThrow(RangeError);
    expect(() => createSessionState(options)).toThrow(message);
  });
});
