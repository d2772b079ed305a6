import { describe, expect, it } from 'vitest';
import { atEndOfTurn } from '../src/http/end-of-turn.js';

describe('atEndOfTurn', () => {
  it('runs what a turn queued after that turn, in order, and what the run queues in a later turn', async () => {
    const ran: string[] = [];
    atEndOfTurn(() => ran.push('a'));
    atEndOfTurn(() => {
      ran.push('b');
      atEndOfTurn(() => ran.push('later'));
    });
    await Promise.resolve();
    expect(ran).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['a', 'b']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['a', 'b', 'later']);
  });
});
