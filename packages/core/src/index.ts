export { parseInstant, parseDuration, formatDuration, truncate, resolveWindow } from './window.js';
export type { WindowInput } from './window.js';
export { DEFAULT_SLICE, MAX_SLICES } from './defaults.js';
export { pageCount, expectedRecords } from './plan.js';
export { splitWindow, splitToFit, maxReachablePages } from './slices.js';
export type { Counted, FittedSlice } from './slices.js';
export {
  makeRunId,
  parseRunId,
  runPrefix,
  pageKey,
  pageFileName,
  slicePageKey,
  slicePageFileName,
  slicePagePrefix,
  sliceMarkerKey,
  manifestKey,
  successKey,
  deadLetterKey,
  slicePageDeadLetterKey,
  deadLetterPrefix,
  malformedKey,
  stateKey,
  PAGE_FILE,
  SLICE_PAGE_FILE,
  SLICE_MARKER_FILE,
} from './naming.js';
export type { RunIdentity } from './naming.js';
export { RunManifest, CountedSlice, readManifest, writeManifest, runIdentity, planKind } from './manifest.js';
export { runStatus, finalizeRun, readWatermark, watermarkKey, Watermark } from './completion.js';
export type { RunStatus } from './completion.js';
export { validatePage, checkRecords } from './validate-page.js';
export type { RecordCheck } from './validate-page.js';
export { authorizeTask, handlePageTask, handleTask, toNdjson } from './handle-task.js';
export type { HandlerDeps, TaskResult } from './handle-task.js';
export { handleSliceTask } from './handle-slice.js';
export type { SliceMarker } from './handle-slice.js';
export { sliceNumberOf, deadLetterKeyFor } from './task-plan.js';
export { decideOutcome, processDelivery } from './outcome.js';
export type { Decision, ProcessDeps, Processed } from './outcome.js';
export { planRun, pageTasks, sliceTasks, tasksFor, latestRunKey, UpToDate } from './planner.js';
export type { PlanRequest, PlannerDeps, PlanResult } from './planner.js';
export { sliceSizeOf } from './plan-build.js';
export { RunInProgressError, incrementalStart, incompleteLatestRun, readLatestRun } from './incremental.js';
export { readStateFile } from './state-file.js';
export type { PendingRun } from './incremental.js';
