import type { FaultKind } from './faults.js';
import type { EndpointName } from './options.js';

/** Counters of a running mock API; tests assert retry counts from them. */
export interface MockStats {
  /** Every request, on any path. */
  requests: number;
  /** Requests per endpoint (GET /sales, …), whatever their outcome. */
  byEndpoint: Record<EndpointName, number>;
  /** Responses sent in full, by status code. Reset sockets are counted in `faults.reset` only. */
  byStatus: Record<number, number>;
  /** Injected faults: `rate429`, `error` (500/503), `reset`, `garbage`, and `slow` responses. */
  faults: Record<FaultKind | 'slow', number>;
  /** 429s from the token bucket (`rateLimit`). */
  rateLimited: number;
  /** Every 429: injected ones plus rate-limited ones. */
  status429: number;
  /** Records added by growth, per endpoint. */
  inserted: Record<EndpointName, number>;
}

export function createMockStats(): MockStats {
  const stats = {} as MockStats;
  resetStats(stats);
  return stats;
}

/** Zeroes the counters in place, so references held by tests stay live. */
export function resetStats(stats: MockStats): void {
  stats.requests = 0;
  stats.byEndpoint = { sales: 0, customers: 0, products: 0 };
  stats.byStatus = {};
  stats.faults = { rate429: 0, error: 0, reset: 0, garbage: 0, slow: 0 };
  stats.rateLimited = 0;
  stats.status429 = 0;
  stats.inserted = { sales: 0, customers: 0, products: 0 };
}
