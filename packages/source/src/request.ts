import type { Log } from '@rdc/contracts';
import type { Limiter } from './rate-limiter.js';
import type { SourceStats } from './stats.js';
import type { RawResponse, Transport } from './transport.js';

/** How hard one page is retried. Defaults live in options.ts. */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
}

/** Time and randomness, injected so the loop is testable without real waits. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** What every request of one endpoint shares: the transport, the limiter, the policy, the counters. */
export interface RequestEnv {
  transport: Transport;
  limiter: Limiter;
  policy: RetryPolicy;
  /** Longest one attempt may take. */
  responseMs: number;
  /**
   * Longest wait a Retry-After or reset header may impose (`limits.maxRetryAfterSeconds`).
   * A longer one pauses the limiter only this long and gives the page back to the queue.
   */
  maxRetryAfterMs: number;
  stats: SourceStats;
  log: Log;
  clock: Clock;
  /** Values scrubbed from every message (the API key). */
  secrets: readonly string[];
  /** What a user can do about a status that retrying cannot fix. */
  hint(status: number): string;
}

/** One resource to GET, and how messages name it. */
export interface RequestTarget {
  url: URL;
  /** Names the request in messages, e.g. `retail/sales page 3`. */
  what: string;
  runId?: string;
  page?: number;
}

/** Turns a 2xx JSON body into a value; throws ShapeError when the body has the wrong shape. */
export type ParseBody<T> = (body: unknown, response: RawResponse) => T;
