import type { Clock } from './request.js';

/** The time one page may take, every attempt and wait included (`retry.budgetMs`), from its first attempt. */
export class PageBudget {
  readonly #clock: Clock;
  readonly #started: number;

  constructor(
    clock: Clock,
    readonly budgetMs: number,
  ) {
    this.#clock = clock;
    this.#started = clock.now();
  }

  elapsedMs(): number {
    return this.#clock.now() - this.#started;
  }

  remainingMs(): number {
    return this.budgetMs - this.elapsedMs();
  }

  /** How long the next attempt may take: `responseMs`, or what is left of the budget if less, and at least 1 ms. */
  attemptTimeoutMs(responseMs: number): number {
    return Math.max(1, Math.min(responseMs, this.remainingMs()));
  }
}
