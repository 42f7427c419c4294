/** Defaults of the service config, in one place (see `ServiceConfig.limits`). */
export const LIMIT_DEFAULTS = {
  /** Requests per second across all workers of one process. */
  requestsPerSecond: 100,
  /** Requests in flight at once across all workers of one process. */
  concurrency: 16,
  /**
   * Longest wait a `Retry-After` or rate-limit reset header can impose, in seconds.
   * It stays under a worker's page budget (60 % of a 60 s ack deadline), so a page
   * is never held past its deadline; a longer wait puts the page back in the queue.
   */
  maxRetryAfterSeconds: 30,
  /** Largest response body accepted, in bytes (8 MiB: 250 records of 32 KiB). */
  maxResponseBytes: 8 * 1024 * 1024,
  /** Most pages one run may plan (25 million records at 250 per page). */
  maxPagesPerRun: 100_000,
} as const;

/**
 * Hard ceiling of `limits.maxPagesPerRun`, and of the pages a manifest may
 * hold: the status of a run lists its pages, so a manifest beyond this is
 * refused as corrupt rather than read.
 */
export const MAX_PAGES_PER_RUN_CEILING = 10_000_000;
