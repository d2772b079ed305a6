import { createRequire } from 'node:module';
import { fakeContext, REQUEST_ID } from '@fc-sessions/testing';
import { describe, expect, it, vi } from 'vitest';

interface Worker {
  initializer(context: unknown): Promise<void>;
  handler(event: Buffer, context: unknown): Promise<Record<string, unknown>>;
}

// The bundle FC runs: CommonJS, self-contained, handler `index.handler`.
const worker = createRequire(import.meta.url)('../code/index.js') as Worker;

describe('apps/event-worker bundle (code/index.js) as the nodejs20 runtime calls it', () => {
  it('sums the numbers and reports the request it ran in', async () => {
    const result = await worker.handler(Buffer.from('{"numbers":[1,2,3.5]}'), fakeContext);
    expect(result).toEqual({
      sum: 6.5,
      count: 3,
      requestId: REQUEST_ID,
      instanceId: null,
      asyncTaskId: null,
      asyncTaskIdFrom: null,
    });
  });

  it('logs each job in FC line format under the request id', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await worker.initializer(fakeContext);
    await worker.handler(Buffer.from('{"numbers":[2,2],"taskId":"task_1"}'), fakeContext);
    const lines = write.mock.calls.map(([chunk]) => String(chunk));
    expect(
      lines.some((line) => line.includes(`${REQUEST_ID} [INFO] job task_1: 2 numbers, sum 4 (task id from event`)),
    ).toBe(true);
  });

  it('takes the async task id from the event when the invocation does not carry it', async () => {
    const result = await worker.handler(Buffer.from('{"numbers":[],"taskId":"task_2"}'), fakeContext);
    expect(result).toMatchObject({ sum: 0, asyncTaskId: 'task_2', asyncTaskIdFrom: 'event' });
  });

  it('rejects a bad event with an error that names the field', async () => {
    await expect(worker.handler(Buffer.from('{"numbers":[1,"2"]}'), fakeContext)).rejects.toThrow(
      'event.numbers must be an array of at most 10000 finite numbers',
    );
    await expect(worker.handler(Buffer.from('not json'), fakeContext)).rejects.toThrow('event must be JSON');
  });

  it('works workMs before it answers, and refuses a workMs out of range naming the field', async () => {
    const started = Date.now();
    const result = await worker.handler(Buffer.from('{"numbers":[1],"workMs":120}'), fakeContext);
    expect(result).toMatchObject({ sum: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await expect(worker.handler(Buffer.from('{"numbers":[1],"workMs":-1}'), fakeContext)).rejects.toThrow(
      'event.workMs must be an integer from 0 to 120000',
    );
  });
});
