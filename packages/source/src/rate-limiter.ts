/** Options of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /**
   * Requests started per second, on average.
   * @example 100
   */
  requestsPerSecond: number;
  /**
   * Requests allowed to start back to back before the rate applies.
   * @default Math.max(1, Math.ceil(requestsPerSecond / 10))
   */
  burst?: number;
  /**
   * Requests in flight at once.
   * @example 16
   */
  concurrency: number;
}

export interface ScheduleOptions {
  /** Reject with RateLimitTimeoutError if the call has not started within this many ms. */
  maxWaitMs?: number;
}

/** What the retry loop needs from a limiter; {@link RateLimiter} is the implementation. */
export interface Limiter {
  schedule<T>(fn: () => Promise<T>, options?: ScheduleOptions): Promise<T>;
  pause(ms: number): void;
  /** Milliseconds until a pause ends (0 when not paused). */
  readonly pausedForMs: number;
}

/** The call waited longer than `maxWaitMs` for a slot and was dropped without running. */
export class RateLimitTimeoutError extends Error {
  readonly waitedMs: number;
  constructor(waitedMs: number) {
    super(`waited ${waitedMs} ms for a rate-limit slot`);
    this.name = 'RateLimitTimeoutError';
    this.waitedMs = waitedMs;
  }
}

interface Waiter {
  run: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function check(name: string, value: unknown, min: number, integer = false): void {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) {
    const expected = `${integer ? 'an integer' : 'a finite number'} >= ${min}`;
    throw new TypeError(`Expected \`${name}\` to be ${expected}, got \`${String(value)}\` (${typeof value})`);
  }
}

/**
 * A token bucket (rate + small burst) and a cap on calls in flight, shared by
 * every request to one API in a process. Calls start in FIFO order.
 * `pause(ms)` holds every call back, e.g. after a 429, so all workers back off.
 * Uses the global `setTimeout` and `Date.now`, so fake timers drive it in tests.
 */
export class RateLimiter implements Limiter {
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly concurrency: number;
  #tokens: number;
  #refilledAt: number;
  #inFlight = 0;
  #pausedUntil = 0;
  #queue: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RateLimiterOptions) {
    check('requestsPerSecond', options.requestsPerSecond, Number.MIN_VALUE);
    check('concurrency', options.concurrency, 1, true);
    const burst = options.burst ?? Math.max(1, Math.ceil(options.requestsPerSecond / 10));
    check('burst', burst, 1, true);
    this.requestsPerSecond = options.requestsPerSecond;
    this.concurrency = options.concurrency;
    this.burst = burst;
    this.#tokens = burst;
    this.#refilledAt = Date.now();
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Milliseconds until a pause ends (0 when not paused). */
  get pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - Date.now());
  }

  /** Runs `fn` when a token and an in-flight slot are free; settles with its result. */
  schedule<T>(fn: () => Promise<T>, options: ScheduleOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        timer: undefined,
        run: () => {
          if (waiter.timer) clearTimeout(waiter.timer);
          this.#inFlight++;
          // A synchronous throw from fn rejects the call like an async one.
          new Promise<T>((settle) => settle(fn())).then(resolve, reject).finally(() => {
            this.#inFlight--;
            this.#pump();
          });
        },
      };
      const { maxWaitMs } = options;
      if (maxWaitMs !== undefined) {
        const startedWaiting = Date.now();
        waiter.timer = setTimeout(
          () => {
            const index = this.#queue.indexOf(waiter);
            if (index === -1) return;
            this.#queue.splice(index, 1);
            reject(new RateLimitTimeoutError(Date.now() - startedWaiting));
          },
          Math.max(0, maxWaitMs),
        );
      }
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Holds every call back for `ms` from now (a longer pause already set wins). */
  pause(ms: number): void {
    check('ms', ms, 0);
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + ms);
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#pump();
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.requestsPerSecond) / 1000);
    this.#refilledAt = now;
  }

  #pump(): void {
    if (this.#timer) return;
    while (this.#queue.length > 0 && this.#inFlight < this.concurrency) {
      const now = Date.now();
      if (now < this.#pausedUntil) {
        this.#wake(this.#pausedUntil - now);
        return;
      }
      this.#refill(now);
      if (this.#tokens < 1) {
        this.#wake(Math.ceil(((1 - this.#tokens) * 1000) / this.requestsPerSecond));
        return;
      }
      this.#tokens -= 1;
      this.#queue.shift()?.run();
    }
  }

  #wake(ms: number): void {
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#pump();
      },
      Math.max(1, ms),
    );
  }
}
