/**
 * At most `limit` tasks run at once; up to `maxWaiting` more wait their turn in arrival order, and
 * anything beyond is turned away at once rather than queued without bound.
 */
export class ConcurrencyGate {
  private active = 0;
  private peak = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private limit: number, private maxWaiting: number) {}

  resize(limit: number, maxWaiting: number): void {
    this.limit = limit;
    this.maxWaiting = maxWaiting;
  }

  load(): { active: number; waiting: number; peak: number } {
    return { active: this.active, waiting: this.waiting.length, peak: this.peak };
  }

  /** Runs `work` when a slot is free; null when the queue is full (the caller refuses the request). */
  tryRun<T>(work: () => Promise<T>): Promise<T> | null {
    if (this.active >= this.limit && this.waiting.length >= this.maxWaiting) return null;
    return this.run(work);
  }

  /** Runs `work` when a slot is free, however long the queue (for callers that are not attacker-driven). */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.acquire().then(async () => {
      try {
        return await work();
      } finally {
        this.active--;
        this.waiting.shift()?.();
      }
    });
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.take(); resolve(); }));
  }

  private take(): void {
    this.active++;
    this.peak = Math.max(this.peak, this.active);
  }
}
