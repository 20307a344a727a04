/**
 * Programmed failures for Graph requests (never the token endpoint, so a test of
 * throttling is not also a test of sign-in). Faults queue up in the order they are
 * programmed: `throttle(2); fail(1)` answers 429, 429, 503, then normally again.
 */
export interface FaultSwitches {
  /** The next `count` Graph requests answer 429 with `Retry-After: retryAfterSeconds` (default 1). */
  throttle(count: number, retryAfterSeconds?: number): void;
  /** The next `count` Graph requests answer `status` (default 503), with Retry-After if given. */
  fail(count: number, status?: number, retryAfterSeconds?: number): void;
  /** `requestsOk` more Graph requests succeed, then `count` answer `status`: a sync that dies half-way. */
  failAfter(requestsOk: number, count: number, status?: number, retryAfterSeconds?: number): void;
  /** Delay every Graph request by `ms` (0 turns it off). */
  latency(ms: number): void;
  /** No more faults or latency. */
  reset(): void;
}

export interface Fault {
  status: number;
  retryAfterSeconds?: number;
}

type Step = { remaining: number; fault: Fault | null };

export class FaultPlan implements FaultSwitches {
  private steps: Step[] = [];
  private delayMs = 0;

  throttle(count: number, retryAfterSeconds = 1): void {
    this.push(count, { status: 429, retryAfterSeconds });
  }

  fail(count: number, status = 503, retryAfterSeconds?: number): void {
    this.push(count, retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds });
  }

  failAfter(requestsOk: number, count: number, status = 503, retryAfterSeconds?: number): void {
    this.push(requestsOk, null);
    this.fail(count, status, retryAfterSeconds);
  }

  latency(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  reset(): void {
    this.steps = [];
    this.delayMs = 0;
  }

  get latencyMs(): number {
    return this.delayMs;
  }

  /** Consumes one step for a Graph request: the fault to answer with, or null to serve it. */
  next(): Fault | null {
    const step = this.steps[0];
    if (!step) return null;
    if (--step.remaining <= 0) this.steps.shift();
    return step.fault;
  }

  private push(count: number, fault: Fault | null): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`A fault count must be a whole number >= 0, not ${count}.`);
    if (count > 0) this.steps.push({ remaining: count, fault });
  }
}
