import type { Agent } from 'node:http';
import { ConfigError, type Log, type ServiceConfig } from '@rdc/contracts';
import type { Secrets } from './api-key.js';
import type { RateLimiter } from './rate-limiter.js';

/** Every default of the source client, in one place. */
export const DEFAULTS = {
  timeouts: { connectMs: 5_000, responseMs: 30_000 },
  retry: { maxRetries: 5, baseDelayMs: 250, maxDelayMs: 20_000, budgetMs: 45_000 },
} as const;

export interface TimeoutOptions {
  /** Longest wait for a TCP/TLS connection. @default 5_000 */
  connectMs?: number;
  /** Longest one attempt may take, from sending to the last body byte (capped by what is left of `budgetMs`). @default 30_000 */
  responseMs?: number;
}

export interface RetryOptions {
  /** Ordinary retries per page (408, 5xx, resets, timeouts, bad bodies). 429 waits do not count. @default 5 */
  maxRetries?: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). @default 250 */
  baseDelayMs?: number;
  /** Backoff cap. @default 20_000 */
  maxDelayMs?: number;
  /**
   * Total time for one page, waits included. Keep it under the queue's ack deadline.
   * @default 45_000
   */
  budgetMs?: number;
}

export interface HttpSourceOptions {
  /** The validated service config. */
  service: ServiceConfig;
  /**
   * Overrides `service.baseUrl` (see `baseUrlFor`: `<SERVICE>_API_BASE_URL`, or `API_BASE_URL`).
   * @example 'http://127.0.0.1:8080'
   */
  baseUrl?: string;
  /** The key or token of a `header`, `bearer`, `query` or `api-key` auth (see `readSecrets`). Never logged. */
  apiKey?: string;
  /** Every secret of the service's auth (`basic`: user and secret), see `readSecrets`. `apiKey` wins for the key. */
  secrets?: Secrets;
  timeouts?: TimeoutOptions;
  retry?: RetryOptions;
  /** Shared by every client of this API in the process. @default a limiter from `service.limits` */
  limiter?: RateLimiter;
  /** @default silentLog */
  log?: Log;
  /** @default a keep-alive agent with `limiter.concurrency` sockets */
  agent?: Agent;
}

export interface ResolvedOptions {
  baseUrl: URL;
  timeouts: Required<TimeoutOptions>;
  retry: Required<RetryOptions>;
}

function number(field: string, value: number, min: number, integer = false): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new ConfigError(
      `Expected \`${field}\` to be ${integer ? 'an integer' : 'a finite number'} >= ${min}, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

/** Applies the defaults and checks every number and the base URL. */
export function resolveOptions(options: HttpSourceOptions): ResolvedOptions {
  const rawBase = options.baseUrl ?? options.service.baseUrl;
  let baseUrl: URL;
  try {
    baseUrl = new URL(rawBase);
  } catch {
    throw new ConfigError(`Expected \`baseUrl\` to be an http(s) URL, got \`${rawBase}\` (${typeof rawBase})`);
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new ConfigError(`Expected \`baseUrl\` to be an http(s) URL, got protocol ${baseUrl.protocol}`);
  }
  const t = { ...DEFAULTS.timeouts, ...options.timeouts };
  const r = { ...DEFAULTS.retry, ...options.retry };
  const timeouts = {
    connectMs: number('timeouts.connectMs', t.connectMs, 1),
    responseMs: number('timeouts.responseMs', t.responseMs, 1),
  };
  const retry = {
    maxRetries: number('retry.maxRetries', r.maxRetries, 0, true),
    baseDelayMs: number('retry.baseDelayMs', r.baseDelayMs, 0),
    maxDelayMs: number('retry.maxDelayMs', r.maxDelayMs, 0),
    budgetMs: number('retry.budgetMs', r.budgetMs, 1),
  };
  return { baseUrl, timeouts, retry };
}
