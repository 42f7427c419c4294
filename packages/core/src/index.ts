export { parseInstant, parseDuration, truncate, resolveWindow } from './window.js';
export type { WindowInput } from './window.js';
export { pageCount, expectedRecords } from './plan.js';
export {
  makeRunId,
  parseRunId,
  runPrefix,
  pageKey,
  pageFileName,
  manifestKey,
  successKey,
  deadLetterKey,
  deadLetterPrefix,
  malformedKey,
  stateKey,
  PAGE_FILE,
} from './naming.js';
export type { RunIdentity } from './naming.js';
export { RunManifest, readManifest, writeManifest, runIdentity } from './manifest.js';
export { runStatus, finalizeRun, readWatermark, watermarkKey, Watermark } from './completion.js';
export type { RunStatus } from './completion.js';
export { validatePage } from './validate-page.js';
export { authorizeTask, handlePageTask, handleTask, toNdjson } from './handle-task.js';
export type { HandlerDeps, TaskResult } from './handle-task.js';
export { decideOutcome, processDelivery } from './outcome.js';
export type { Decision, ProcessDeps, Processed } from './outcome.js';
export { planRun, pageTasks, latestRunKey } from './planner.js';
export type { PlanRequest, PlannerDeps, PlanResult } from './planner.js';
