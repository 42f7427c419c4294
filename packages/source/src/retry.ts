import { seconds } from './classify.js';
import { RateLimitTimeoutError } from './rate-limiter.js';
import { scrubHeaders } from './redact.js';
import type { ParseBody, RequestEnv, RequestTarget } from './request.js';
import { RequestErrors } from './request-errors.js';
import { classifyResponse, classifyTransportError, type FailedOutcome, type Failure } from './response-outcome.js';
import { PageBudget } from './page-budget.js';
import { rateLimitWait, retryWait, type WaitDecision, type WaitInput } from './retry-wait.js';
import { countStatus } from './stats.js';
import { InvalidUtf8Error, type RawResponse, ResponseTooLargeError, TransportError } from './transport.js';

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
 *
 * The steps live apart: response-outcome.ts classifies an attempt, retry-wait.ts
 * decides the wait, page-budget.ts accounts the time, request-errors.ts words the error.
 */
export async function getJson<T>(
  env: RequestEnv,
  target: RequestTarget,
  parse: ParseBody<T>,
): Promise<{ value: T; response: RawResponse }> {
  const { clock, limiter, stats } = env;
  const errors = new RequestErrors(target, env.secrets, (status) => env.hint(status));
  const budget = new PageBudget(clock, env.policy.budgetMs);
  const log = env.log.child({ page: target.page, path: errors.path });
  const tally = { attempts: 0, retries: 0, waits: 0 };
  let lastFailure: Failure = { reason: 'none yet' };

  for (;;) {
    const remainingMs = budget.remainingMs();
    const pausedMs = limiter.pausedForMs;
    if (pausedMs > 0 && pausedMs >= remainingMs) {
      // Another request was told to wait longer than this page has left: give the page back now.
      const failure = {
        reason: `the API's rate limit is paused for ${seconds(pausedMs)}; last error: ${lastFailure.reason}`,
      };
      const why = `rate limit paused past the page budget of ${seconds(budget.budgetMs)}`;
      throw errors.exhausted(failure, why, tally.attempts, budget.elapsedMs(), pausedMs);
    }
    tally.attempts++;
    let response: RawResponse;
    try {
      response = await send(env, target.url, budget, remainingMs, errors);
    } catch (error) {
      if (error instanceof RateLimitTimeoutError) {
        // The attempt never started.
        tally.attempts--;
        const failure = { reason: `no rate-limit slot within the budget (${error.message})` };
        const pausedNow = limiter.pausedForMs;
        const retryAfterMs = pausedNow > 0 ? pausedNow : undefined;
        throw errors.exhausted(failure, 'page budget spent', tally.attempts, budget.elapsedMs(), retryAfterMs);
      }
      lastFailure = await waitAfter(failedAttempt(error, env, errors), env, budget, tally, errors, log);
      continue;
    }
    countStatus(stats, response.status);
    const outcome = classifyResponse(response, parse, clock.now(), (text) => errors.scrub(text));
    if (outcome.kind === 'ok') return { value: outcome.value, response };
    lastFailure = await waitAfter(outcome, env, budget, tally, errors, log);
  }
}

/** One attempt through the shared limiter, bounded by what is left of the page budget. */
async function send(
  env: RequestEnv,
  url: URL,
  budget: PageBudget,
  remainingMs: number,
  errors: RequestErrors,
): Promise<RawResponse> {
  const response = await env.limiter.schedule(
    () => {
      env.stats.requests++;
      return env.transport(url, budget.attemptTimeoutMs(env.responseMs));
    },
    { maxWaitMs: Math.max(0, remainingMs) },
  );
  // Header values (a request id, a next link) reach object metadata and messages: scrubbed first.
  if (env.secrets.length === 0) return response;
  return { ...response, headers: scrubHeaders(response.headers, (text) => errors.scrub(text)) };
}

/** An attempt that threw: a body over the size limit fails the page, no response is classified. */
function failedAttempt(error: unknown, env: RequestEnv, errors: RequestErrors): FailedOutcome {
  if (error instanceof ResponseTooLargeError) {
    countStatus(env.stats, error.status);
    throw errors.tooLarge(error);
  }
  if (error instanceof InvalidUtf8Error) {
    countStatus(env.stats, error.status);
    throw errors.invalidUtf8(error);
  }
  if (!(error instanceof TransportError)) throw error;
  env.stats.transportErrors++;
  return classifyTransportError(error);
}

/**
 * After an attempt that gave no value: throws when retrying cannot help or the
 * page gives up, else waits (counted and logged) and returns the failure.
 */
async function waitAfter(
  outcome: FailedOutcome,
  env: RequestEnv,
  budget: PageBudget,
  tally: { attempts: number; retries: number; waits: number },
  errors: RequestErrors,
  log: RequestEnv['log'],
): Promise<Failure> {
  if (outcome.kind === 'rejected') throw errors.rejected(outcome.failure);
  if (outcome.kind === 'unreachable') throw errors.unreachable(outcome.failure);
  const { failure } = outcome;
  const { clock, stats } = env;
  const input: WaitInput = {
    failure,
    policy: env.policy,
    capMs: env.maxRetryAfterMs,
    elapsedMs: budget.elapsedMs(),
    random: () => clock.random(),
  };
  let decision: WaitDecision;
  if (outcome.kind === 'rate-limited') {
    tally.waits++;
    const wait = rateLimitWait(input, tally.waits);
    // However long the API asks, the process holds back no longer than the cap.
    env.limiter.pause(wait.pauseLimiterMs);
    decision = wait.decision;
  } else {
    decision = retryWait(input, tally.retries);
  }
  if (decision.kind === 'give-up') throw errors.gaveUp(failure, decision.giveUp, tally.attempts, budget.elapsedMs());

  const { waitMs } = decision;
  if (outcome.kind === 'rate-limited') {
    stats.rateLimitWaits++;
    stats.rateLimitWaitMs += waitMs;
    log.warn('Rate limited by the API; pausing', { status: failure.status, waitMs, waits: tally.waits });
  } else {
    tally.retries++;
    stats.retries++;
    log.warn('Request failed; retrying', {
      reason: errors.scrub(failure.reason),
      retry: tally.retries,
      delayMs: waitMs,
    });
  }
  await clock.sleep(waitMs);
  return failure;
}
