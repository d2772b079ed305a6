import { afterEach, describe, expect, it, vi } from 'vitest';
import { isoMillis, newRequestId } from '../src/ids.js';

describe('newRequestId', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('carries the current unix second in hex, also when the second changes between ids, and never repeats', () => {
    vi.useFakeTimers();
    const ids: string[] = [];
    for (const ms of [1_700_000_000_000, 1_700_000_000_999, 1_700_000_001_000, 1_700_000_000_500]) {
      vi.setSystemTime(ms);
      const id = newRequestId();
      expect(id).toMatch(/^1-[0-9a-f]+-[0-9a-f]{8}-[0-9a-f]{12}$/);
      expect(id.split('-')[1]).toBe(Math.floor(ms / 1000).toString(16));
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('isoMillis', () => {
  it('is toISOString of the same time, across second boundaries and back', () => {
    for (const ms of [
      0, 999, 1000, 1_700_000_000_000, 1_700_000_000_007, 1_700_000_000_999, 1_700_000_001_000, 1_699_999_999_999,
    ]) {
      expect(isoMillis(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
