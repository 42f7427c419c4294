export { createMockApi } from './server.js';
export type { MockApi } from './server.js';
export type { MockStats } from './stats.js';
export {
  DEFAULT_LIMIT,
  ENDPOINTS,
  MAX_LIMIT,
  OPTION_FIELDS,
  PAGINATION_STYLES,
  defaultMockOptions,
  resolveMockOptions,
} from './options.js';
export type { BodyNext, EndpointName, MockApiOptions, PaginationStyle, RetryAfterFormat, TotalIn } from './options.js';
export { mockApiUsage, parseMockOptions } from './parse-options.js';
export { TokenBucket } from './faults.js';
export type { TakeResult } from './faults.js';
