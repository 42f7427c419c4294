import { type ErrorContext, PermanentError, TransientError } from '@rdc/contracts';
import { seconds, statusText } from './classify.js';
import { redactedPath, scrubSecrets } from './redact.js';
import type { RequestTarget } from './request.js';
import type { Failure } from './response-outcome.js';
import type { GiveUp } from './retry-wait.js';
import type { InvalidUtf8Error, ResponseTooLargeError } from './transport.js';

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

/** Why the page gave up, in words, and when the queue should try again. */
function giveUpWords(giveUp: GiveUp): { why: string; retryAfterMs?: number } {
  switch (giveUp.because) {
    case 'asked-over-cap':
      return {
        why: `the API asked to wait ${seconds(giveUp.askedMs)}, more than limits.maxRetryAfterSeconds (${seconds(giveUp.capMs)})`,
        retryAfterMs: giveUp.capMs,
      };
    case 'wait-past-budget':
      return {
        why: `the API asked to wait ${seconds(giveUp.waitMs)}, past the page budget of ${seconds(giveUp.budgetMs)}`,
        retryAfterMs: giveUp.waitMs,
      };
    case 'retries-used':
      return { why: `all ${giveUp.maxRetries} retries used` };
    case 'budget-spent':
      return {
        why: `page budget of ${seconds(giveUp.budgetMs)} spent`,
        ...(giveUp.retryAfterMs !== undefined && { retryAfterMs: giveUp.retryAfterMs }),
      };
  }
}

/**
 * The errors of one request, worded for the user: what was asked (`what` and the
 * path, secrets scrubbed), what went wrong, and what to do. Every message and
 * cause is scrubbed of the secrets, and carries the run, page, status and path.
 */
export class RequestErrors {
  readonly #target: RequestTarget;
  readonly #secrets: readonly string[];
  readonly #hint: (status: number) => string;
  /** The request's path and query, secrets redacted. */
  readonly path: string;

  constructor(target: RequestTarget, secrets: readonly string[], hint: (status: number) => string) {
    this.#target = target;
    this.#secrets = secrets;
    this.#hint = hint;
    // A next link can carry the key in any parameter: scrubbed, not only redacted by name.
    this.path = this.scrub(redactedPath(target.url));
  }

  scrub(text: string): string {
    return scrubSecrets(text, this.#secrets);
  }

  get #request(): string {
    return `${this.#target.what}: GET ${this.path}`;
  }

  #context(status?: number): ErrorContext {
    const { runId, page } = this.#target;
    return {
      ...(runId !== undefined && { runId }),
      ...(page !== undefined && { page }),
      ...(status !== undefined && { status }),
      path: this.path,
    };
  }

  /** The API answered with a status that retrying cannot fix. */
  rejected(failure: Failure & { status: number }): PermanentError {
    return new PermanentError(
      this.scrub(`${this.#request} was rejected with ${failure.reason}. ${this.#hint(failure.status)}`),
      this.#context(failure.status),
    );
  }

  /** No response, for a reason retrying cannot fix. */
  unreachable(failure: Failure): PermanentError {
    return new PermanentError(
      this.scrub(`${this.#request} failed: ${failure.reason}. ${this.#hint(0)}`),
      this.#context(),
    );
  }

  /** The body was over `limits.maxResponseBytes`. */
  tooLarge(error: ResponseTooLargeError): PermanentError {
    return new PermanentError(
      this.scrub(
        `${this.#request} answered ${statusText(error.status)} but ${error.message}, so it was cut off. ` +
          'Raise limits.maxResponseBytes in the service config if pages this big are expected (and size the ' +
          "worker's memory for it), or lower the endpoint's pagination.pageSize.",
      ),
      this.#context(error.status),
    );
  }

  /** A 2xx body that is not valid UTF-8: permanent, since its records cannot be read as sent. */
  invalidUtf8(error: InvalidUtf8Error): PermanentError {
    return new PermanentError(
      this.scrub(
        `${this.#request} answered ${statusText(error.status)} but ${error.message}. Its records cannot be read as the ` +
          'API meant them, so the page is not written (no replacement characters land). Ask the API owner to serve UTF-8, ' +
          'then resume the run.',
      ),
      this.#context(error.status),
    );
  }

  /** The page gives up after a wait decision (see retry-wait.ts). */
  gaveUp(failure: Failure, giveUp: GiveUp, attempts: number, elapsedMs: number): Error {
    const { why, retryAfterMs } = giveUpWords(giveUp);
    return this.exhausted(failure, why, attempts, elapsedMs, retryAfterMs);
  }

  /**
   * The page goes back to the queue: a RetriesExhaustedError naming `why` and the
   * last failure. A wrong body shape that persisted is a PermanentError pointing
   * at the config field instead: retrying later will not change it.
   */
  exhausted(failure: Failure, why: string, attempts: number, elapsedMs: number, retryAfterMs?: number): Error {
    if (failure.shape) {
      return new PermanentError(
        this.scrub(
          `${this.#request} answered ${statusText(failure.status ?? 200)} but ${failure.shape.message} ` +
            `(${attempts} attempts). Check ${failure.shape.configField} in the service config.`,
        ),
        this.#context(failure.status),
        { cause: new Error(this.scrub(failure.shape.message)) },
      );
    }
    return new RetriesExhaustedError(
      this.scrub(
        `${this.#request} failed after ${attempts} attempts in ${seconds(elapsedMs)} (${why}); ` +
          `last error: ${failure.reason}. The page goes back to the queue for a later try; if this persists, ` +
          `check the API's health, or raise retry.maxRetries / retry.budgetMs.`,
      ),
      this.#context(failure.status),
      {
        cause: new Error(this.scrub(failure.reason)),
        attempts,
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      },
    );
  }
}
