export { LOCAL_HELP, parseLocalArgs } from './cli.js';
export type { LocalArgs, LocalCommand } from './cli.js';
export { runLocal } from './run-local.js';
export { formatSummary } from './summary.js';
export type { LocalIo } from './run-local.js';
export type { LocalSummary } from './summary.js';
export { readRunStatus, formatStatus, type StatusReport } from './status.js';
