// @rdc/core: the connector's logic, with no cloud SDK. Its I/O goes through the
// ports of @rdc/contracts (Source, Sink, TaskPublisher), so every stage runs
// against plain fakes in tests. Grouped by stage, in the order a run meets them.

// Shared: config defaults, and where every object of a run lives in the bucket.
export { DEFAULT_SLICE, MAX_SLICES } from './defaults.js';
export {
  makeRunId,
  parseRunId,
  BOOKKEEPING_ROOT,
  tableFolder,
  partitionFolder,
  runFolder,
  utcDate,
  pageStem,
  slicePageStem,
  dataKey,
  DATA_FILE,
  pageRecordKey,
  pageRecordsPrefix,
  PAGE_RECORD_FILE,
  SLICE_PAGE_RECORD_FILE,
  sliceMarkerKey,
  SLICE_MARKER_FILE,
  manifestKey,
  successKey,
  schemaKey,
  deadLetterKey,
  slicePageDeadLetterKey,
  deadLetterPrefix,
  malformedKey,
  unplannedKey,
  DEAD_PAGE_FILE,
  DEAD_SLICE_FILE,
  DEAD_SLICE_PAGE_FILE,
  stateKey,
  legacyManifestKey,
  legacyStateKey,
  encodingKey,
  retiredPrefix,
  plannedRunKey,
  plannedRunsPrefix,
} from './bucket-layout.js';
export type { DeliveryTag, RunIdentity } from './bucket-layout.js';

// Planning a run (plan/): the window, counting pages, slicing, the manifest, the tasks.
export { parseInstant, parseDuration, formatDuration, truncate, resolveWindow } from './window.js';
export type { WindowInput } from './window.js';
export { pageCount, expectedRecords, sliceSizeOf } from './plan/counting.js';
export { splitWindow, splitToFit, maxReachablePages } from './plan/slicing.js';
export type { Counted, FittedSlice } from './plan/slicing.js';
export { probeSliceSize, roundSliceMs, slicesFor, type SliceChoice } from './plan/adaptive-slices.js';
export { RunManifest, CountedSlice, readManifest, writeManifest, runIdentity, planKind } from './state/manifest.js';
export { pageTasks, sliceTasks, tasksFor } from './plan/tasks.js';
export { planRun, UpToDate } from './plan/plan-run.js';
export { planBackfill } from './plan/backfill.js';
export type { BackfillHooks } from './plan/backfill.js';
export { TooManyPagesError } from './plan/counting.js';
export { OverlapError, overlappingRuns, claimWindow } from './plan/overlap.js';
export type { PlanRequest, PlannerDeps, PlanResult } from './plan/plan-run.js';

// Handling one task (task/): authorize, fetch, validate, write once.
export { allowListedEndpoint } from './task/allow-list.js';
export { createTaskCaches } from './task/handler-deps.js';
export type { HandlerDeps, TaskCaches, TaskResult } from './task/handler-deps.js';
export { sliceNumberOf, deadLetterKeyFor } from './task/slice-number.js';
export { validatePage, checkRecords } from './task/validate-page.js';
export type { RecordCheck } from './task/validate-page.js';
export { toNdjson } from './task/write-page.js';
export { splitByDate, landPage } from './task/land-page.js';
export { readPageRecord, PageRecord } from './state/page-records.js';
export type { DatePart, PageToLand } from './task/land-page.js';
export { countDrift, mergeDrift, formatDrift } from './state/drift.js';
export type { Drift, DriftField } from './state/drift.js';
export { handlePageTask } from './task/handle-page.js';
export { handleTask } from './delivery/handle-task.js';
export { handleSliceTask } from './task/handle-slice.js';
export type { SliceMarker } from './task/handle-slice.js';

// One delivery end to end (delivery/): the task processor every transport calls, and
// the outcome policy, one map from a task's error to ack, retry or dead-letter.
export { createTaskProcessor } from './delivery/task-processor.js';
export type { TaskProcessor, TaskProcessorDeps } from './delivery/task-processor.js';
export { CHECK_EVERY_PAGE_UP_TO, COMPLETION_CHECK_INTERVAL_MS } from './delivery/seal-step.js';
export { decideOutcome, processDelivery } from './delivery/outcome-policy.js';
export type { Decision, ProcessDeps, Processed } from './delivery/outcome-policy.js';

// A run's state (state/): completion and sealing, the watermark, incremental starts, state files.
export { runStatus, finalizeRun, withDrift } from './state/completion.js';
export { collectDrift } from './state/drift-report.js';
export type { RunStatus } from './state/completion.js';
export { checkRunIntegrity, MAX_IDS_PER_PASS } from './state/integrity.js';
export { DuplicateTally } from './state/integrity-report.js';
export { retireRun } from './state/retire.js';
export type { Retired } from './state/retire.js';
export type { IntegrityReport } from './state/integrity-report.js';
export { PageSummary, compareIds, summarizeIds } from './state/page-summary.js';
export { runEncoding } from './state/encoding.js';
export { readWatermark, watermarkKey, Watermark } from './state/watermark.js';
export {
  RunInProgressError,
  incrementalStart,
  incompleteLatestRun,
  latestRunKey,
  readLatestRun,
} from './state/incremental-start.js';
export type { PendingRun } from './state/incremental-start.js';
export { readStateFile } from './state/state-files.js';

// Compaction of a sealed run into Parquet (compact/): one checked file set per partition, exactly once.
export { PARQUET_ROW_GROUP_ROWS, PARQUET_MAX_FILE_BYTES, PARQUET_CODEC } from './defaults.js';
export {
  parquetTableFolder,
  parquetPartitionFolder,
  parquetKey,
  PARQUET_FILE,
  compactedPrefix,
  compactedPartitionKey,
  compactedRunKey,
  compactDeadLetterKey,
} from './bucket-layout.js';
export { parquetLayout } from './compact/parquet-schema.js';
export type { ParquetLayout } from './compact/parquet-schema.js';
export { encodeParquet, readBack } from './compact/parquet-file.js';
export type { ParquetCodec, ParquetFileOptions } from './compact/parquet-file.js';
export { IdDigest } from './compact/id-digest.js';
export { parseRecordLine, parseMicros } from './compact/exact-json.js';
export { compactPartition, readPartitionMarker, PartitionMarker } from './compact/compact-partition.js';
export type { CompactDeps, PartitionToCompact } from './compact/compact-partition.js';
export {
  compactRun,
  compactionDates,
  finishRunCompaction,
  readRunCompaction,
  RunCompactionMarker,
} from './compact/compact-run.js';
export type { RunCompaction, RunToCompact } from './compact/compact-run.js';
export { compactionTasks, handleCompactTask, parquetEnabled, parquetOptions } from './compact/handle-compact.js';
