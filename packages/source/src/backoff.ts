/**
 * Exponential backoff with full jitter: a uniformly random delay in
 * [0, min(maxDelayMs, baseDelayMs * 2^(retry - 1))) for the `retry`-th retry (1-based).
 */
export function jitteredBackoff(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(retry, baseDelayMs, maxDelayMs));
}

/** The upper bound of the `retry`-th delay: min(maxDelayMs, baseDelayMs * 2^(retry - 1)). */
export function backoffCeiling(retry: number, baseDelayMs: number, maxDelayMs: number): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
}
