/** What the flow started, stopped in reverse order however the flow ends. */
export class Cleanup {
  readonly #tasks: Array<{ readonly name: string; readonly run: () => unknown }> = [];

  add(name: string, run: () => unknown): void {
    this.#tasks.push({ name, run });
  }

  /** Runs every task, newest first, even when one fails; the failures come back as messages. */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    for (const task of this.#tasks.splice(0).reverse()) {
      try {
        await task.run();
      } catch (error) {
        failures.push(`${task.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return failures;
  }
}
