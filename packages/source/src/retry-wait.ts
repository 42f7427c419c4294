import { jitteredBackoff } from './backoff.js';
import type { Failure } from './response-outcome.js';
import type { RetryPolicy } from './request.js';

/** Why a page is given back to the queue instead of waiting here. */
export type GiveUp =
  /** The API asked for a longer wait than `limits.maxRetryAfterSeconds`. */
  | { because: 'asked-over-cap'; askedMs: number; capMs: number }
  /** A 429's wait would run past the page budget. */
  | { because: 'wait-past-budget'; waitMs: number; budgetMs: number }
  /** Every retry of the policy is used. */
  | { because: 'retries-used'; maxRetries: number }
  /** The next retry's delay would run past the page budget. */
  | { because: 'budget-spent'; budgetMs: number; retryAfterMs?: number };

/** Wait `waitMs` and try again, or give the page back. */
export type WaitDecision = { kind: 'wait'; waitMs: number } | { kind: 'give-up'; giveUp: GiveUp };

/** What the decision needs to know about the page so far. */
export interface WaitInput {
  failure: Failure;
  policy: RetryPolicy;
  /** `limits.maxRetryAfterSeconds`, in ms. */
  capMs: number;
  /** Time the page has taken so far. */
  elapsedMs: number;
  random: () => number;
}

/**
 * After a 429: the wait the API asked for (Retry-After, else a jittered backoff
 * of at least `baseDelayMs`), and how long to pause the shared limiter, which
 * is never longer than the cap, even when the page is given back.
 * `waitNumber` counts the 429s of this page, this one included.
 */
export function rateLimitWait(
  input: WaitInput,
  waitNumber: number,
): { pauseLimiterMs: number; decision: WaitDecision } {
  const { failure, policy, capMs, elapsedMs } = input;
  const askedMs =
    failure.retryAfterMs ??
    Math.max(policy.baseDelayMs, jitteredBackoff(waitNumber, policy.baseDelayMs, policy.maxDelayMs, input.random));
  const waitMs = Math.min(askedMs, capMs);
  const giveUp: GiveUp | undefined =
    askedMs > capMs
      ? { because: 'asked-over-cap', askedMs, capMs }
      : elapsedMs + waitMs >= policy.budgetMs
        ? { because: 'wait-past-budget', waitMs, budgetMs: policy.budgetMs }
        : undefined;
  return { pauseLimiterMs: waitMs, decision: giveUp ? { kind: 'give-up', giveUp } : { kind: 'wait', waitMs } };
}

/**
 * After a retryable failure: Retry-After when the API sent one, else full-jitter
 * backoff; the page is given back when `retriesUsed` reached `maxRetries`, the
 * API asked for more than the cap, or the delay would run past the budget.
 */
export function retryWait(input: WaitInput, retriesUsed: number): WaitDecision {
  const { failure, policy, capMs, elapsedMs } = input;
  const giveUp = (g: GiveUp): WaitDecision => ({ kind: 'give-up', giveUp: g });
  if (retriesUsed >= policy.maxRetries) return giveUp({ because: 'retries-used', maxRetries: policy.maxRetries });
  const asked = failure.retryAfterMs;
  if (asked !== undefined && asked > capMs) return giveUp({ because: 'asked-over-cap', askedMs: asked, capMs });
  const waitMs = asked ?? jitteredBackoff(retriesUsed + 1, policy.baseDelayMs, policy.maxDelayMs, input.random);
  if (elapsedMs + waitMs >= policy.budgetMs) {
    return giveUp({
      because: 'budget-spent',
      budgetMs: policy.budgetMs,
      ...(asked !== undefined && { retryAfterMs: asked }),
    });
  }
  return { kind: 'wait', waitMs };
}
