import { seededRandom } from '@fc-sessions/internals/seeded-random';
import { invalidArgument } from '../errors.js';
import { arrayOf, integer, isPlainObject, number, object, parseFields, string } from '../model/validate.js';

/** One fault rule; it applies to every API request, or only to those whose action is `action`. */
export interface FaultRule {
  /** An `x-acs-action` such as `CreateSession`; the FC 2.0 invoke path counts as `InvokeFunction`, the HTTP-trigger route as `HttpTrigger`. */
  readonly action?: string | undefined;
  /** Added before the request is handled. */
  readonly latencyMs?: number | undefined;
  /** Share of requests answered 429 ResourceExhausted, in [0, 1]. */
  readonly throttleRate?: number | undefined;
  /** Share of requests answered 503 ResourceThrottled, in [0, 1]. */
  readonly unavailableRate?: number | undefined;
  /** Share of requests whose connection is closed without an answer, in [0, 1]. */
  readonly dropRate?: number | undefined;
}

export interface FaultConfig {
  /**
   * With a seed each action draws from its own seeded sequence: the n-th request of an action meets
   * the same faults on every run, however the requests of other actions interleave with it.
   */
  readonly seed?: number | undefined;
  readonly rules: readonly FaultRule[];
}

export type FaultOutcome = 'pass' | 'throttle' | 'unavailable' | 'drop';

export interface FaultDecision {
  readonly latencyMs: number;
  readonly outcome: FaultOutcome;
}

const PASS: FaultDecision = { latencyMs: 0, outcome: 'pass' };

const ruleShape = {
  action: string({ pattern: /^[A-Za-z]{1,64}$/, patternText: 'an action name such as CreateSession' }),
  latencyMs: integer(0, 600_000),
  throttleRate: number(0, 1),
  unavailableRate: number(0, 1),
  dropRate: number(0, 1),
};

/** Validates a fault configuration (from the admin endpoint or options). */
export function parseFaultConfig(input: unknown): FaultConfig {
  if (!isPlainObject(input)) throw invalidArgument('the fault configuration must be a JSON object');
  const parsed = parseFields({ seed: integer(0, 2 ** 32 - 1), rules: arrayOf(object(ruleShape), 100) }, input);
  const rules = parsed.rules ?? [];
  rules.forEach((rule, i) => {
    const total = (rule.throttleRate ?? 0) + (rule.unavailableRate ?? 0) + (rule.dropRate ?? 0);
    if (total > 1)
      throw invalidArgument(`rules[${i}]: throttleRate + unavailableRate + dropRate must be at most 1; got ${total}`);
  });
  return parsed.seed === undefined ? { rules } : { seed: parsed.seed, rules };
}

/** Decides, request by request, which injected faults apply. */
export class FaultInjector {
  private config: FaultConfig = { rules: [] };
  /** The seeded sequence of each action, made at its first request; empty without a seed. */
  private streams = new Map<string, () => number>();

  constructor(config?: FaultConfig) {
    if (config) this.configure(config);
  }

  get current(): FaultConfig {
    return this.config;
  }

  get active(): boolean {
    return this.config.rules.length > 0;
  }

  configure(config: FaultConfig): void {
    this.config = config;
    this.streams = new Map();
  }

  private random(action: string): () => number {
    const { seed } = this.config;
    if (seed === undefined) return Math.random;
    let stream = this.streams.get(action);
    if (!stream) {
      stream = seededRandom(streamSeed(seed, action));
      this.streams.set(action, stream);
    }
    return stream;
  }

  decide(action: string): FaultDecision {
    if (this.config.rules.length === 0) return PASS;
    let latencyMs = 0;
    let outcome: FaultOutcome = 'pass';
    const random = this.random(action);
    for (const rule of this.config.rules) {
      if (rule.action !== undefined && rule.action !== action) continue;
      latencyMs += rule.latencyMs ?? 0;
      const drop = rule.dropRate ?? 0;
      const throttle = rule.throttleRate ?? 0;
      const unavailable = rule.unavailableRate ?? 0;
      if (outcome !== 'pass' || drop + throttle + unavailable === 0) continue;
      const r = random();
      if (r < drop) outcome = 'drop';
      else if (r < drop + throttle) outcome = 'throttle';
      else if (r < drop + throttle + unavailable) outcome = 'unavailable';
    }
    return { latencyMs, outcome };
  }
}

/** FNV-1a over the seed and the action: one independent 32-bit seed per action. */
function streamSeed(seed: number, action: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed >>> 0}/${action}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}
