export { LOCAL_HELP, parseLocalArgs } from './cli.js';
export type { LocalArgs, LocalCommand } from './cli.js';
export { runLocal, formatSummary } from './run-local.js';
export type { LocalIo, LocalSummary } from './run-local.js';
export { resolveRunTarget, readRunStatus, formatStatus, type StatusReport } from './status.js';
