import { nextFire, parseSchedule, type TimerTriggerConfig } from '@fc-sessions/client';
import type { TriggerRecord } from '../state/records.js';

/** setTimeout's longest wait; a later fire is reached in several waits. */
const MAX_WAIT_MS = 2 ** 31 - 1;

/** The event a timer trigger hands the function, as FC documents it. */
export function timerEvent(record: TriggerRecord, triggerTimeMs: number): string {
  const config = JSON.parse(record.triggerConfig) as TimerTriggerConfig;
  return JSON.stringify({
    triggerTime: new Date(triggerTimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    triggerName: record.triggerName,
    payload: config.payload ?? '',
  });
}

/**
 * Fires enabled timer triggers on their schedule: one timer per trigger, set for its next fire
 * time. `@every` counts from the trigger's last change; fires missed while the emulator was not
 * running are skipped, as are fires of a schedule changed or disabled before they came.
 */
export class TimerScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly fire: (record: TriggerRecord, triggerTimeMs: number) => void) {}

  /** Follows a trigger's change: (re)schedules an enabled timer, forgets anything else. */
  sync(functionName: string, triggerName: string, record: TriggerRecord | undefined): void {
    const key = `${functionName}/${triggerName}`;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (this.stopped || record?.triggerType !== 'timer') return;
    const config = JSON.parse(record.triggerConfig) as TimerTriggerConfig;
    if (config.enable === false) return;
    this.schedule(key, record, parseSchedule(config.cronExpression), Date.now());
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(
    key: string,
    record: TriggerRecord,
    schedule: ReturnType<typeof parseSchedule>,
    afterMs: number,
  ): void {
    const at = nextFire(schedule, afterMs, record.lastModifiedMs);
    if (at === undefined) return;
    const wait = () => {
      const left = at - Date.now();
      const timer = setTimeout(
        () => {
          if (at - Date.now() > 0) return wait();
          this.fire(record, at);
          this.schedule(key, record, schedule, at);
        },
        Math.min(Math.max(left, 0), MAX_WAIT_MS),
      );
      timer.unref();
      this.timers.set(key, timer);
    };
    wait();
  }
}
