import { type ErrorContext, type Log, PermanentError, TransientError } from '@rdc/contracts';
import { backoffDelay } from './backoff.js';
import {
  apiErrorMessage,
  classifyStatus,
  describeBody,
  isRetryableTransportCode,
  seconds,
  statusText,
} from './classify.js';
import { type Limiter, RateLimitTimeoutError } from './rate-limiter.js';
import { redactedPath, scrubHeaders, scrubSecrets } from './redact.js';
import { retryDelayFromHeaders } from './retry-after.js';
import { ShapeError } from './shape-error.js';
import type { SourceStats } from './stats.js';
import { type RawResponse, ResponseTooLargeError, type Transport, TransportError } from './transport.js';

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

/** The retries were used up or the page's time budget ran out; the queue should redeliver later. */
export class RetriesExhaustedError extends TransientError {
  /** HTTP attempts made, 429 waits included. */
  readonly attempts: number;
  constructor(
    message: string,
    context: ErrorContext,
    options: { cause?: unknown; retryAfterMs?: number; attempts: number },
  ) {
    super(message, context, options);
    this.attempts = options.attempts;
  }
}

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

export interface RequestTarget {
  url: URL;
  /** Names the request in messages, e.g. `retail/sales page 3`. */
  what: string;
  runId?: string;
  page?: number;
}

/** Turns a 2xx JSON body into a value; throws ShapeError when the body has the wrong shape. */
export type ParseBody<T> = (body: unknown, response: RawResponse) => T;

interface Failure {
  reason: string;
  status?: number;
  shape?: ShapeError;
  retryAfterMs?: number;
}

type Outcome<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'retry'; failure: Failure }
  | { kind: 'rate-limited'; failure: Failure }
  | { kind: 'fail'; error: Error };

/**
 * GETs a JSON resource under the retry policy:
 * - 2xx: parse JSON and `parse` it; unparseable JSON or a ShapeError is retried
 *   (a persistent ShapeError becomes a PermanentError pointing at the config);
 * - 429: wait Retry-After (or backoff), pausing the shared limiter, without
 *   using a retry; the budget bounds it, and a wait over `maxRetryAfterMs`
 *   gives the page back at once (the limiter pauses no longer than the cap);
 * - 408, 5xx, transport errors: full-jitter backoff (or Retry-After), at most
 *   `maxRetries` times;
 * - other statuses: PermanentError at once;
 * - retries or budget used up: RetriesExhaustedError (a TransientError).
 */
export async function getJson<T>(
  env: RequestEnv,
  target: RequestTarget,
  parse: ParseBody<T>,
): Promise<{ value: T; response: RawResponse }> {
  const { policy, clock, stats } = env;
  const scrub = (text: string): string => scrubSecrets(text, env.secrets);
  // A next link can carry the key in any parameter: scrubbed, not only redacted by name.
  const path = scrub(redactedPath(target.url));
  const request = `GET ${path}`;
  const started = clock.now();
  const context = (status?: number): ErrorContext => ({
    ...(target.runId !== undefined && { runId: target.runId }),
    ...(target.page !== undefined && { page: target.page }),
    ...(status !== undefined && { status }),
    path,
  });
  const log = env.log.child({ page: target.page, path });
  let attempts = 0;
  let retries = 0;
  let waits = 0;
  let response: RawResponse | undefined;
  let lastFailure: Failure = { reason: 'none yet' };

  const exhausted = (failure: Failure, why: string, retryAfterMs?: number): Error => {
    const elapsed = clock.now() - started;
    if (failure.shape) {
      return new PermanentError(
        scrub(
          `${target.what}: ${request} answered ${statusText(failure.status ?? 200)} but ${failure.shape.message} ` +
            `(${attempts} attempts). Check ${failure.shape.configField} in the service config.`,
        ),
        context(failure.status),
        { cause: new Error(scrub(failure.shape.message)) },
      );
    }
    return new RetriesExhaustedError(
      scrub(
        `${target.what}: ${request} failed after ${attempts} attempts in ${seconds(elapsed)} (${why}); ` +
          `last error: ${failure.reason}. The page goes back to the queue for a later try; if this persists, ` +
          `check the API's health, or raise retry.maxRetries / retry.budgetMs.`,
      ),
      context(failure.status),
      {
        cause: new Error(scrub(failure.reason)),
        attempts,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      },
    );
  };

  const interpret = (res: RawResponse): Outcome<T> => {
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    const cls = classifyStatus(res.status);
    if (cls === 'success') {
      let body: unknown;
      try {
        body = JSON.parse(res.body);
      } catch {
        return {
          kind: 'retry',
          failure: { reason: `the body is not valid JSON (${describeBody(res.body)})`, status: res.status },
        };
      }
      try {
        return { kind: 'ok', value: parse(body, res) };
      } catch (error) {
        if (!(error instanceof ShapeError)) return { kind: 'fail', error: error as Error };
        return { kind: 'retry', failure: { reason: error.message, status: res.status, shape: error } };
      }
    }
    const apiMessage = apiErrorMessage(res.body);
    const reason = `${statusText(res.status)}${apiMessage ? `: "${apiMessage}"` : ''}`;
    const retryAfterMs = retryDelayFromHeaders(res.headers, clock.now());
    const failure: Failure = { reason, status: res.status, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    if (cls === 'rate-limited') return { kind: 'rate-limited', failure };
    if (cls === 'retry') return { kind: 'retry', failure };
    const error = new PermanentError(
      scrub(`${target.what}: ${request} was rejected with ${reason}. ${env.hint(res.status)}`),
      context(res.status),
    );
    return { kind: 'fail', error };
  };

  for (;;) {
    const remaining = policy.budgetMs - (clock.now() - started);
    const paused = env.limiter.pausedForMs;
    if (paused > 0 && paused >= remaining) {
      // Another request was told to wait longer than this page has left: give the page back now.
      throw exhausted(
        { reason: `the API's rate limit is paused for ${seconds(paused)}; last error: ${lastFailure.reason}` },
        `rate limit paused past the page budget of ${seconds(policy.budgetMs)}`,
        paused,
      );
    }
    attempts++;
    let outcome: Outcome<T>;
    try {
      response = await env.limiter.schedule(
        () => {
          stats.requests++;
          const left = policy.budgetMs - (clock.now() - started);
          return env.transport(target.url, Math.max(1, Math.min(env.responseMs, left)));
        },
        { maxWaitMs: Math.max(0, remaining) },
      );
      // Header values (a request id, a next link) reach object metadata and messages: scrubbed first.
      if (env.secrets.length > 0) response = { ...response, headers: scrubHeaders(response.headers, scrub) };
      outcome = interpret(response);
    } catch (error) {
      if (error instanceof RateLimitTimeoutError) {
        attempts--;
        const wait = env.limiter.pausedForMs;
        throw exhausted(
          { reason: `no rate-limit slot within the budget (${error.message})` },
          'page budget spent',
          wait > 0 ? wait : undefined,
        );
      }
      if (error instanceof ResponseTooLargeError) {
        stats.byStatus[error.status] = (stats.byStatus[error.status] ?? 0) + 1;
        throw new PermanentError(
          scrub(
            `${target.what}: ${request} answered ${statusText(error.status)} but ${error.message}, so it was cut off. ` +
              'Raise limits.maxResponseBytes in the service config if pages this big are expected (and size the ' +
              "worker's memory for it), or lower the endpoint's pagination.pageSize.",
          ),
          context(error.status),
        );
      }
      if (!(error instanceof TransportError)) throw error;
      stats.transportErrors++;
      const failure: Failure = { reason: `no response: ${error.message}` };
      if (!isRetryableTransportCode(error.code)) {
        throw new PermanentError(
          scrub(`${target.what}: ${request} failed: ${failure.reason}. ${env.hint(0)}`),
          context(),
        );
      }
      outcome = { kind: 'retry', failure };
    }

    if (outcome.kind === 'ok') return { value: outcome.value, response: response as RawResponse };
    if (outcome.kind === 'fail') throw outcome.error;
    const { failure } = outcome;
    lastFailure = failure;
    const elapsed = clock.now() - started;

    const cap = env.maxRetryAfterMs;
    const overCap = (asked: number): Error =>
      exhausted(
        failure,
        `the API asked to wait ${seconds(asked)}, more than limits.maxRetryAfterSeconds (${seconds(cap)})`,
        cap,
      );

    if (outcome.kind === 'rate-limited') {
      waits++;
      const asked =
        failure.retryAfterMs ??
        Math.max(
          policy.baseDelayMs,
          backoffDelay(waits, policy.baseDelayMs, policy.maxDelayMs, () => clock.random()),
        );
      // However long the API asks, the process holds back no longer than the cap.
      const wait = Math.min(asked, cap);
      env.limiter.pause(wait);
      if (asked > cap) throw overCap(asked);
      if (elapsed + wait >= policy.budgetMs) {
        throw exhausted(
          failure,
          `the API asked to wait ${seconds(wait)}, past the page budget of ${seconds(policy.budgetMs)}`,
          wait,
        );
      }
      stats.rateLimitWaits++;
      stats.rateLimitWaitMs += wait;
      log.warn('Rate limited by the API; pausing', { status: failure.status, waitMs: wait, waits });
      await clock.sleep(wait);
      continue;
    }

    if (retries >= policy.maxRetries) {
      throw exhausted(failure, `all ${policy.maxRetries} retries used`);
    }
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > cap) throw overCap(failure.retryAfterMs);
    const delay =
      failure.retryAfterMs ?? backoffDelay(retries + 1, policy.baseDelayMs, policy.maxDelayMs, () => clock.random());
    if (elapsed + delay >= policy.budgetMs) {
      throw exhausted(failure, `page budget of ${seconds(policy.budgetMs)} spent`, failure.retryAfterMs);
    }
    retries++;
    stats.retries++;
    log.warn('Request failed; retrying', { reason: scrub(failure.reason), retry: retries, delayMs: delay });
    await clock.sleep(delay);
  }
}
