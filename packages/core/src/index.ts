// @rdc/core: the connector's logic, with no cloud SDK. Its I/O goes through the
// ports of @rdc/contracts (Source, Sink, TaskPublisher), so every stage runs
// against plain fakes. This file is what other packages, apps and the bench
// use; the rest is internal, and tests reach it by its module path
// (`@rdc/core/task/handle-page.js`).

// Run ids, and where a run's objects live in the bucket (status, summaries, the stack, the bench).
export {
  makeRunId,
  parseRunId,
  BOOKKEEPING_ROOT,
  runFolder,
  tableFolder,
  utcDate,
  pageStem,
  dataKey,
  successKey,
  stateKey,
  legacyManifestKey,
  legacyStateKey,
  parquetTableFolder,
  compactedRunKey,
} from './bucket-layout.js';

// Config defaults the apps' help texts print.
export { DEFAULT_SLICE } from './defaults.js';

// Instants and durations as the flags spell them (--start-date, --lookback, --slice).
export { parseInstant, parseDuration, formatDuration } from './window.js';

// Planning: the planner and npm start plan through @rdc/runtime's planFromArgs; the bench plans directly.
export { planRun, UpToDate } from './plan/plan-run.js';
export type { PlannerDeps, PlanResult } from './plan/plan-run.js';
export { planBackfill } from './plan/backfill.js';
export { retireRun } from './state/retire.js';

// One delivery end to end: the push worker, the pull worker and npm start call the
// task processor and only adapt their transport to it.
export { createTaskProcessor } from './delivery/task-processor.js';
export type { TaskProcessor } from './delivery/task-processor.js';
// The task stage alone, without a queue or an outcome (the bench), with the caches a processor keeps.
export { handleTask } from './delivery/handle-task.js';
export { createTaskCaches } from './task/handler-deps.js';

// A run's state: `status`, npm start's summary, the stack waiting for a sealed run.
export { runStatus, finalizeRun, withDrift } from './state/completion.js';
export type { RunStatus } from './state/completion.js';
export { readManifest, runIdentity } from './state/manifest.js';
export type { RunManifest } from './state/manifest.js';
export { formatDrift } from './state/drift.js';
export type { Drift } from './state/drift.js';
export type { IntegrityReport } from './state/integrity-report.js';
// An endpoint's runs, backfills and watermark, and why pages were dead-lettered: `status`.
export {
  plannedRuns,
  recentPlannedRuns,
  plannedBackfills,
  readLastPlanned,
  lastLandedAt,
  landedRecords,
} from './state/run-listing.js';
export type { PlannedRun } from './state/run-listing.js';
export { deadLetterReasons } from './state/dead-letter-reasons.js';
export type { DeadLetterReason } from './state/dead-letter-reasons.js';
export { readWatermark } from './state/watermark.js';
export type { Watermark } from './state/watermark.js';

// Compaction of a sealed run into Parquet: npm start --parquet and the bench.
export { compactRun } from './compact/compact-run.js';
export { parquetEnabled, parquetOptions } from './compact/handle-compact.js';
export { requestCompaction } from './compact/request-compaction.js';
