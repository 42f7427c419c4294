export { createHttpSource, limiterForService, type HttpSource } from './http-source.js';
export { createSourceRegistry, limitsFromEnv, type SourceRegistry, type SourceRegistryOptions } from './registry.js';
export { DEFAULTS, type HttpSourceOptions, type RetryOptions, type TimeoutOptions } from './options.js';
export {
  RateLimiter,
  RateLimitTimeoutError,
  type Limiter,
  type RateLimiterOptions,
  type ScheduleOptions,
} from './rate-limiter.js';
export { getJson } from './retry.js';
export { type Clock, type RequestEnv, type RequestTarget, type RetryPolicy } from './request.js';
export { RetriesExhaustedError } from './request-errors.js';
export { readApiKey, readSecret, readSecrets, type Secrets } from './api-key.js';
export { authRequest, credentialVariables, type AuthRequest } from './auth.js';
export { baseUrlFor, baseUrlVariable, type ResolvedBaseUrl } from './base-url.js';
export { redactUrl, redactedPath, scrubSecrets, secretVariants } from './redact.js';
export { parseLinkHeader, findLink, type Link } from './link-header.js';
export { parseRetryAfter, parseResetMs, retryDelayFromHeaders } from './retry-after.js';
export { jitteredBackoff, backoffCeiling } from './backoff.js';
export { classifyStatus, isRetryableTransportCode, apiErrorMessage, type StatusClass } from './classify.js';
export { getPath } from './json-path.js';
export { readRecords } from './records.js';
export { readTotal, pagesFor, type ReportedTotal } from './totals.js';
export { ResponseTooLargeError, TransportError, type RawResponse, type Transport } from './transport.js';
export type { SourceStats } from './stats.js';
