import { apiErrorMessage, classifyStatus, describeBody, isRetryableTransportCode, statusText } from './classify.js';
import type { ParseBody } from './request.js';
import { retryDelayFromHeaders } from './retry-after.js';
import { ShapeError } from './shape-error.js';
import type { RawResponse, TransportError } from './transport.js';

/** Why an attempt gave no value: named in the log, and in the error when the page gives up. */
export interface Failure {
  reason: string;
  status?: number;
  /** The body had the wrong shape; if it persists, the config is what needs fixing. */
  shape?: ShapeError;
  /** What the API's Retry-After or reset header asked for. */
  retryAfterMs?: number;
}

/** What one attempt came to, before any waiting or wording. */
export type Outcome<T> =
  | { kind: 'ok'; value: T }
  /** 408, 5xx, a retryable transport error, a body that is not JSON or has the wrong shape. */
  | { kind: 'retry'; failure: Failure }
  /** 429: wait, without using a retry. */
  | { kind: 'rate-limited'; failure: Failure }
  /** A status retrying cannot fix. */
  | { kind: 'rejected'; failure: Failure & { status: number } }
  /** No response, for a reason retrying cannot fix (an unknown host, a bad certificate). */
  | { kind: 'unreachable'; failure: Failure };

/** An outcome that gave no value. */
export type FailedOutcome = Exclude<Outcome<unknown>, { kind: 'ok' }>;

/**
 * Classifies one HTTP response: a 2xx is parsed as JSON and then by `parse`
 * (an error other than a ShapeError from `parse` is thrown as is); any other
 * status is a failure named by its status and the API's own message.
 * `now` reads a Retry-After date. `scrub` takes the secrets out of the body before
 * any of it is quoted: a key cut in half by the quote's length limit would no longer match.
 */
export function classifyResponse<T>(
  res: RawResponse,
  parse: ParseBody<T>,
  now: number,
  scrub: (text: string) => string = (text) => text,
): Outcome<T> {
  const cls = classifyStatus(res.status);
  if (cls === 'success') return parseSuccess(res, parse, scrub);
  const apiMessage = apiErrorMessage(scrub(res.body));
  const reason = `${statusText(res.status)}${apiMessage ? `: "${apiMessage}"` : ''}`;
  const retryAfterMs = retryDelayFromHeaders(res.headers, now);
  const failure = { reason, status: res.status, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  if (cls === 'rate-limited') return { kind: 'rate-limited', failure };
  if (cls === 'retry') return { kind: 'retry', failure };
  return { kind: 'rejected', failure };
}

function parseSuccess<T>(res: RawResponse, parse: ParseBody<T>, scrub: (text: string) => string): Outcome<T> {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return {
      kind: 'retry',
      failure: { reason: `the body is not valid JSON (${describeBody(scrub(res.body))})`, status: res.status },
    };
  }
  try {
    return { kind: 'ok', value: parse(body, res) };
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    return { kind: 'retry', failure: { reason: error.message, status: res.status, shape: error } };
  }
}

/** Classifies an attempt that got no response: retried unless its code says retrying cannot help. */
export function classifyTransportError(error: TransportError): FailedOutcome {
  const failure: Failure = { reason: `no response: ${error.message}` };
  return isRetryableTransportCode(error.code) ? { kind: 'retry', failure } : { kind: 'unreachable', failure };
}
