// @rdc/mock-server: the bundled retail mock API as a library, for npm start, the
// mock-api app, tests and the bench. Internals are tested through their module
// path, e.g. `@rdc/mock-server/faults.js`.

// The server and its options (the same names as the mock-api app's flags).
export { createMockApi } from './server.js';
export type { MockApi } from './server.js';
export type { MockStats } from './stats.js';
export type { BodyNext, EndpointName, MockApiOptions, PaginationStyle, RetryAfterFormat, TotalIn } from './options.js';

// The command line of the mock-api app.
export { mockApiUsage, parseMockOptions } from './parse-options.js';
