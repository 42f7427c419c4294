import { GCS_DEFAULTS } from './defaults.js';
import { statusOf } from './gcs-errors.js';

/**
 * Whether the sink's bucket exists, asked of the bucket rather than read from the
 * words of a 404: Cloud Storage, the storage testbench and proxies word "no such
 * bucket" and "no such object" differently, and both are 404.
 *
 * The question is a list of at most one object (`storage.objects.list`, which the
 * sink needs anyway; reading bucket metadata would need `storage.buckets.get`, which
 * the object roles do not grant): 404 means the bucket is missing, 200 that it exists.
 *
 * A "present" answer is kept for `presentForMs`, so a run whose pages mostly do not
 * exist yet asks once, not once per page. A "missing" answer is never kept: the call
 * fails, and the next one asks again, so a bucket created meanwhile is found.
 * Concurrent questions share one request.
 */
export class BucketPresence {
  private presentUntil = -Infinity;
  private asking: Promise<boolean> | undefined;

  constructor(
    private readonly ask: () => Promise<unknown>,
    private readonly presentForMs: number = GCS_DEFAULTS.bucketPresentForMs,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * True when the bucket exists. `fresh` skips a kept answer (after a write or list 404,
   * which a present bucket does not give). Rejects with the question's own error when
   * it cannot be answered (permission denied, unavailable): never guesses.
   */
  exists(fresh = false): Promise<boolean> {
    if (!fresh && this.now() < this.presentUntil) return Promise.resolve(true);
    this.asking ??= this.ask()
      .then(
        () => {
          this.presentUntil = this.now() + this.presentForMs;
          return true;
        },
        (error: unknown) => {
          if (statusOf(error) === 404) return false;
          throw error;
        },
      )
      .finally(() => {
        this.asking = undefined;
      });
    return this.asking;
  }
}
