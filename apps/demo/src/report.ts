/** One expectation of the flow and whether it held. */
export interface Check {
  readonly step: string;
  readonly name: string;
  readonly ok: boolean;
  /** What was seen instead, when it failed. */
  readonly detail?: string;
}

/** Where the flow tells what it does; the CLI prints, the tests stay quiet. */
export interface Reporter {
  step(title: string, note?: string): void;
  check(check: Check): void;
  note(line: string): void;
}

export const silentReporter: Reporter = {
  step() {},
  check() {},
  note() {},
};

/** Collects the checks of one run and hands each to the reporter as it is made. */
export class Checklist {
  readonly #checks: Check[] = [];
  #step = '';

  constructor(private readonly reporter: Reporter) {}

  step(title: string, note?: string): void {
    this.#step = title;
    this.reporter.step(title, note);
  }

  note(line: string): void {
    this.reporter.note(line);
  }

  /** Records `name` as passed when `ok`; `detail` says what was seen otherwise. */
  expect(name: string, ok: boolean, detail?: () => string): boolean {
    const check: Check = ok ? { step: this.#step, name, ok } : { step: this.#step, name, ok, detail: detail?.() };
    this.#checks.push(check);
    this.reporter.check(check);
    return ok;
  }

  get checks(): readonly Check[] {
    return this.#checks;
  }

  get ok(): boolean {
    return this.#checks.length > 0 && this.#checks.every((check) => check.ok);
  }
}

/** `4f3a9c1e…` for a long id, the id itself when short. */
export function short(id: string | null | undefined): string {
  if (!id) return String(id);
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}
