// @rdc/source: the client of a service's REST API. One HttpSource per service,
// shared through a SourceRegistry, pages each endpoint in its configured style,
// retries under a time budget and keeps the API key out of every message.
// Internals (the retry steps, header parsers, redaction) are tested through
// their module path, e.g. `@rdc/source/retry-after.js`.

// The client: one source per service, and the registry the apps build them with.
export { createSourceRegistry, type SourceRegistry, type SourceRegistryOptions } from './registry.js';
export { createHttpSource, type HttpSource } from './http-source.js';
export { type HttpSourceOptions, type RetryOptions, type TimeoutOptions } from './options.js';
export { RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
export type { SourceStats, SourceTotals } from './stats.js';

// What a caller meets: the error of a page that used up its retries, and the
// variable that overrides a service's base URL.
export { RetriesExhaustedError } from './request-errors.js';
export { baseUrlVariable } from './base-url.js';

// `probe`: one page of an API read, and a draft endpoint config made from it.
export { probeEndpoint } from './probe.js';
export { parseAuthSpec, PROBE_AUTH_HELP } from './probe-auth.js';
