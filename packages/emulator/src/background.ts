/** Work that outlives its request (async invocations); `drain()` waits for it or cancels what has not begun. */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  run(work: () => Promise<unknown>, delayMs = 0): void {
    if (this.closed) return;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.run(work);
      }, delayMs);
      this.timers.add(timer);
      return;
    }
    const task = work().catch(() => undefined);
    this.running.add(task);
    task.finally(() => this.running.delete(task));
  }

  async drain(maxWaitMs: number): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.running),
      new Promise((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
