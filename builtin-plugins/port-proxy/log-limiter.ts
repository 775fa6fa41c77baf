/**
 * Bounds how often a recurring problem is logged: the first occurrence goes through, then at
 * most one per `intervalMs`, carrying how many were swallowed in between. Never throws.
 */
export class LogLimiter {
  private last = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Call once per occurrence. Returns undefined when this one should not be logged, else the
   * number of occurrences suppressed since the last one that was (0 for the first).
   */
  take(): number | undefined {
    const t = this.now();
    if (t - this.last < this.intervalMs) {
      this.suppressed += 1;
      return undefined;
    }
    const skipped = this.suppressed;
    this.last = t;
    this.suppressed = 0;
    return skipped;
  }
}
