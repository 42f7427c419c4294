export interface RetryBackoff {
  /**
   * Wait before the second delivery, in ms; doubles for each delivery after that.
   * @default 100
   */
  minMs: number;
  /**
   * The longest wait between deliveries, in ms.
   * @default 10_000
   */
  maxMs: number;
}

/**
 * How long to wait before redelivering a message whose delivery number `attempt`
 * (1-based) asked for a retry: `minMs * 2^(attempt - 1)`, capped at `maxMs`.
 *
 * @example redeliveryDelay(1, { minMs: 100, maxMs: 10_000 }) // 100
 * @example redeliveryDelay(3, { minMs: 100, maxMs: 10_000 }) // 400
 */
export function redeliveryDelay(attempt: number, { minMs, maxMs }: RetryBackoff): number {
  // Capping the exponent keeps the product finite (0 * Infinity would be NaN).
  const exponent = Math.min(52, Math.max(0, Math.floor(attempt) - 1));
  return Math.min(maxMs, minMs * 2 ** exponent);
}
