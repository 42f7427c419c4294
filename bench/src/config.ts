/**
 * Every size, rate and timeout of the benchmark, in one place. `full` is what
 * `npm run bench` measures; `quick` is the CI smoke run (seconds, small sizes).
 */

/** Records per page: the retail config's page size (and the API's maximum). */
export const PAGE_SIZE = 250;

/** The retail config's client limits (config/services/retail.json `limits`). */
export const RETAIL_LIMITS = { requestsPerSecond: 100, concurrency: 16 } as const;

/** The mock API's data spans [DATA_START, DATA_END); every run's window covers all of it. */
export const DATA_START = '2024-01-01T00:00:00.000Z';
export const DATA_END = '2026-01-01T00:00:00.000Z';

export interface BenchSizes {
  s1: {
    /** Pages of the run (the API holds exactly pages × 250 sales). */
    pages: number;
    /** The sequential baseline works the first this-many pages of the same plan. */
    sequentialPages: number;
    /** The Pub/Sub push contender's run (the emulator pushes 2 at a time, so it gets a shorter window). */
    pushPages: number;
    latencyMs: number;
    jitterMs: number;
    /** The API's token bucket, requests per second. */
    rateLimit: number;
  };
  /** S2 and S3 run each contender `repeats` times, alternating, and keep each one's best run (least disturbed by other load). */
  s2: { pages: number; repeats: number };
  s3: { messages: number; repeats: number };
  /** The seed's scale: `recordsPerHour` over [start, end), one task per page of 250 (a counting stub answers the count). */
  s4: { start: string; end: string; recordsPerHour: number; repeats: number };
  memory: { small: number; large: number };
  /** Compaction: a sealed retail sales run at `recordsPerHour` over [start, end), compacted into Parquet. */
  compaction: { start: string; end: string; recordsPerHour: number };
  /**
   * Requests per ideal: the mock holds `sales` over the data span; each style copies
   * [start, end). `styles`: the pagination examples to run, or every one.
   */
  requests: { sales: number; start: string; end: string; styles: 'all' | readonly string[] };
  /** Startup: runs of each `--help` and cold starts of the push worker (the median is kept). */
  startup: { repeats: number };
  /** Longest any one contender may run before it is killed and reported incomplete. */
  contenderTimeoutMs: number;
}

export const FULL: BenchSizes = {
  s1: { pages: 1_000, sequentialPages: 100, pushPages: 300, latencyMs: 100, jitterMs: 20, rateLimit: 100 },
  s2: { pages: 2_000, repeats: 3 },
  s3: { messages: 100_000, repeats: 3 },
  s4: { start: '2025-01-01T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z', recordsPerHour: 6_000, repeats: 3 },
  memory: { small: 200, large: 2_000 },
  compaction: { start: '2025-01-01T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z', recordsPerHour: 6_000 },
  startup: { repeats: 5 },
  requests: { sales: 100_000, start: '2024-07-01T00:00:00.000Z', end: '2025-07-01T00:00:00.000Z', styles: 'all' },
  contenderTimeoutMs: 240_000,
};

export const QUICK: BenchSizes = {
  s1: { pages: 40, sequentialPages: 10, pushPages: 40, latencyMs: 100, jitterMs: 20, rateLimit: 100 },
  s2: { pages: 80, repeats: 1 },
  s3: { messages: 2_000, repeats: 1 },
  s4: { start: '2025-12-31T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z', recordsPerHour: 6_000, repeats: 1 },
  memory: { small: 20, large: 200 },
  compaction: { start: '2025-12-31T22:00:00.000Z', end: '2026-01-01T00:00:00.000Z', recordsPerHour: 6_000 },
  startup: { repeats: 3 },
  requests: {
    sales: 20_000,
    start: '2024-07-01T00:00:00.000Z',
    end: '2024-10-01T00:00:00.000Z',
    // Offsets planned from a total, and a cursor walked in time slices.
    styles: ['pg_offset', 'pg_after'],
  },
  contenderTimeoutMs: 60_000,
};

/** Concurrency of the S2 contenders: the retail config's, so only the per-page cost differs. */
export const S2_CONCURRENCY = RETAIL_LIMITS.concurrency;

/** Pub/Sub settings of the S1 (c) topology, as in the e2e test and production. */
export const PUSH_SUBSCRIPTION = {
  ackDeadlineSeconds: 60,
  maxDeliveryAttempts: 5,
  retryPolicy: { minimumBackoff: 1, maximumBackoff: 60 },
} as const;

/**
 * The push load generator (S1 (c) push without the emulator): messages it keeps in
 * flight, and the push subscription's delivery policy it plays. Twice the worker's
 * API concurrency, so the worker's own limiter, not the generator, sets the pace.
 */
export const PUSH_LOAD = {
  concurrency: 2 * RETAIL_LIMITS.concurrency,
  maxAttempts: PUSH_SUBSCRIPTION.maxDeliveryAttempts,
  minBackoffMs: PUSH_SUBSCRIPTION.retryPolicy.minimumBackoff * 1000,
  maxBackoffMs: PUSH_SUBSCRIPTION.retryPolicy.maximumBackoff * 1000,
} as const;

/** Records the S4 window holds. */
export function s4Records(sizes: BenchSizes): number {
  const hours = (Date.parse(sizes.s4.end) - Date.parse(sizes.s4.start)) / 3_600_000;
  return Math.round(hours * sizes.s4.recordsPerHour);
}
