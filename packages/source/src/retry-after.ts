import type { IncomingHttpHeaders } from 'node:http';

/** Epoch values above this (year 2001 in ms) in X-RateLimit-Reset-Ms are absolute times, not delays. */
const EPOCH_MS_THRESHOLD = 1e12;

function first(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim();
}

/**
 * Parses a `Retry-After` value: delay-seconds (`"120"`, `"1.5"`) or an HTTP date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Returns milliseconds to wait (a date in
 * the past gives 0, and so does a negative delay), or undefined for a missing or garbage value.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  // A negative delay (a clock-skewed or hostile server) counts as 0.
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.max(0, Math.round(Number(text) * 1000));
  // An HTTP date always has letters (day or month names); this keeps "12abc" out.
  if (!/^[A-Za-z]{3},? /.test(text) && !/ GMT$/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Parses `X-RateLimit-Reset-Ms`: milliseconds to wait, or, for values that
 * look like an epoch time in ms, the time to wait until. Negative values count
 * as 0; undefined for garbage.
 */
export function parseResetMs(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text || !/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Math.max(0, Math.ceil(n > EPOCH_MS_THRESHOLD ? n - nowMs : n));
}

/** The server's requested wait in ms: `X-RateLimit-Reset-Ms` (more precise) first, then `Retry-After`. */
export function retryDelayFromHeaders(headers: IncomingHttpHeaders, nowMs: number = Date.now()): number | undefined {
  return (
    parseResetMs(first(headers['x-ratelimit-reset-ms']), nowMs) ?? parseRetryAfter(first(headers['retry-after']), nowMs)
  );
}
