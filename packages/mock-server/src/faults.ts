import type { MockApiOptions, RetryAfterFormat } from './options.js';
import type { Random } from './random.js';

/** What the fault injector does to one data request. */
export type FaultKind = 'rate429' | 'error' | 'reset' | 'garbage';

export interface FaultPlan {
  /** The fault to inject, or undefined to answer normally. */
  fault: FaultKind | undefined;
  /** Status of an injected server error. */
  errorStatus: 500 | 503;
  /** Delay before answering (latency, jitter and slowness), in ms. */
  delayMs: number;
  slow: boolean;
  /** For `reset` and `garbage`: the share of the body sent, in (0, 1). */
  cut: number;
}

type FaultRates = Pick<
  MockApiOptions,
  'latencyMs' | 'latencyJitterMs' | 'slowRate' | 'slowMs' | 'errorRate' | 'resetRate' | 'garbageRate' | 'rate429'
>;

/**
 * Draws one plan per data request. The four faults share one uniform draw, so
 * each happens at exactly its own rate and they never overlap. Every plan uses
 * the same number of draws, so a seeded `random` gives a reproducible schedule.
 */
export function createFaultPlanner(rates: FaultRates, random: Random): () => FaultPlan {
  const bands: [FaultKind, number][] = [
    ['rate429', rates.rate429],
    ['error', rates.errorRate],
    ['reset', rates.resetRate],
    ['garbage', rates.garbageRate],
  ];
  return () => {
    const [u, jitter, slowDraw, statusDraw, cutDraw] = [random(), random(), random(), random(), random()];
    let fault: FaultKind | undefined;
    let edge = 0;
    for (const [kind, share] of bands) {
      edge += share;
      if (u < edge) {
        fault = kind;
        break;
      }
    }
    const slow = slowDraw < rates.slowRate;
    const latency = rates.latencyMs + (jitter * 2 - 1) * rates.latencyJitterMs;
    return {
      fault,
      errorStatus: statusDraw < 0.5 ? 500 : 503,
      delayMs: Math.max(0, Math.round(latency)) + (slow ? rates.slowMs : 0),
      slow,
      cut: 0.1 + cutDraw * 0.8,
    };
  };
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; waitMs: number };

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `capacity` saved up.
 * Over any span of T seconds it admits at most `capacity + rate × T` requests.
 * Time comes from `now` (ms) so tests can drive it with a fake clock.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError(`Expected \`ratePerSecond\` to be a finite number > 0, got \`${ratePerSecond}\``);
    }
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Expected \`capacity\` to be an integer >= 1, got \`${capacity}\``);
    }
    this.#tokens = capacity;
    this.#last = now();
  }

  /** Takes a token if one is there; otherwise says how long until one is. */
  take(): TakeResult {
    const now = this.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#last) * this.ratePerSecond) / 1000);
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true, remaining: Math.floor(this.#tokens) };
    }
    return { ok: false, waitMs: Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.ratePerSecond)) };
  }
}

/** A `Retry-After` value: whole delay-seconds (rounded up) or an HTTP-date. */
export function retryAfter(waitMs: number, format: RetryAfterFormat, nowMs: number): string {
  const seconds = Math.ceil(waitMs / 1000);
  if (format === 'seconds') return String(seconds);
  // HTTP-dates have whole seconds: round up so a client never retries early.
  return new Date(Math.ceil(nowMs / 1000) * 1000 + seconds * 1000).toUTCString();
}
