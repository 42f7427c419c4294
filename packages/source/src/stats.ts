/** Counters of one source client; tests and the worker's summary read them. */
export interface SourceStats {
  /** HTTP attempts made (each retry is another request). */
  requests: number;
  /** Ordinary retries (408, 5xx, transport errors, bad bodies); 429 waits are not counted here. */
  retries: number;
  /** Responses by HTTP status, e.g. `{ 200: 10, 503: 2 }`. */
  byStatus: Record<number, number>;
  /** Attempts that got no HTTP response (reset, refused, timeout). */
  transportErrors: number;
  /** 429 responses the client waited out. */
  rateLimitWaits: number;
  /** Total ms spent waiting on 429s. */
  rateLimitWaitMs: number;
}

export function createSourceStats(): SourceStats {
  return { requests: 0, retries: 0, byStatus: {}, transportErrors: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 };
}

/** What a process's summary and activity lines report of its API clients. */
export type SourceTotals = Pick<SourceStats, 'requests' | 'retries' | 'rateLimitWaits' | 'rateLimitWaitMs'>;

/** The counters of several clients, summed. */
export function sumStats(all: Iterable<SourceStats>): SourceTotals {
  const sum: SourceTotals = { requests: 0, retries: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 };
  for (const stats of all) {
    sum.requests += stats.requests;
    sum.retries += stats.retries;
    sum.rateLimitWaits += stats.rateLimitWaits;
    sum.rateLimitWaitMs += stats.rateLimitWaitMs;
  }
  return sum;
}

/** Counts one response of HTTP status `status`. */
export function countStatus(stats: SourceStats, status: number): void {
  stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
}
