/**
 * Whether the foreground's answers (webhook acknowledgements, send 202s) are queueing
 * behind follow-up work in storage. The idea of LEDBAT (RFC 6817), background traffic
 * that yields to foreground traffic: the base is the quickest answer of the last
 * minute (what storage takes when nothing queues: a few ms on Azurite, more on Table
 * Storage across the network); the smoothed answer time minus the base is the
 * queueing. More than QUEUEING_TARGET_MS of it, and follow-up work drops to one task
 * for HOLD_MS. The base adapts to the store, so a slower store is not mistaken for
 * pressure.
 */
export const QUEUEING_TARGET_MS = 8;
export const HOLD_MS = 250;
/** The base is the minimum over this many buckets of BASE_BUCKET_MS (one minute). */
const BASE_BUCKETS = 6;
const BASE_BUCKET_MS = 10_000;
/** Weight of the newest answer in the smoothed time (as TCP's SRTT). */
const SMOOTHING = 1 / 8;

export class AnswerPressure {
  private smoothed: number | undefined;
  /** The quickest answer per bucket, newest last. */
  private readonly minimums: Array<{ bucket: number; ms: number }> = [];
  private pressedUntil = -Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** One answer took `ms`. */
  record(ms: number): void {
    const at = this.now();
    const bucket = Math.floor(at / BASE_BUCKET_MS);
    const last = this.minimums[this.minimums.length - 1];
    if (last?.bucket === bucket) last.ms = Math.min(last.ms, ms);
    else this.minimums.push({ bucket, ms });
    while (this.minimums[0]!.bucket <= bucket - BASE_BUCKETS) this.minimums.shift();
    this.smoothed = this.smoothed === undefined ? ms : this.smoothed + SMOOTHING * (ms - this.smoothed);
    if (this.smoothed - this.base() > QUEUEING_TARGET_MS) this.pressedUntil = at + HOLD_MS;
  }

  /** Answers queued lately: follow-up work should trickle. */
  get pressed(): boolean {
    return this.now() < this.pressedUntil;
  }

  private base(): number {
    return Math.min(...this.minimums.map((entry) => entry.ms));
  }
}
