import { PermanentError, type Task } from '@rdc/contracts';
import { parseRunId } from '../bucket-layout.js';
import type { ManifestCache, RunManifest } from '../state/manifest.js';

/**
 * A page task must be the one the planner published for its run: the same page
 * size, page count and total as the run's manifest. A stale or forged task with
 * a smaller page could otherwise land a short page under the real page's name.
 * Slice tasks, and pages of a sliced window, are placed by their slice
 * (`sliceNumberOf`) instead.
 */
export async function checkAgainstPlan(task: Task, manifests: ManifestCache): Promise<void> {
  if (task.kind !== 'page' || task.slice) return;
  const run = parseRunId(task.runId);
  const matches = (m: RunManifest | undefined): boolean =>
    m !== undefined && m.pageSize === task.pageSize && m.pages === task.pages && m.total === task.total;
  let manifest = await manifests.get(run);
  // The run may have been repaired (retired and planned again) since the manifest was cached.
  if (!matches(manifest)) manifest = await manifests.get(run, true);
  if (!manifest) {
    throw new PermanentError(
      `Run ${task.runId} has no manifest in ${manifests.sink.url}; only tasks the planner published for this sink can be worked. Check RDC_SINK.`,
      { runId: task.runId, page: task.page },
    );
  }
  if (!matches(manifest)) {
    throw new PermanentError(
      `Task for ${task.runId} page ${task.page} says ${task.pages} pages of ${task.pageSize} (${task.total} records); the run's manifest says ${manifest.pages} of ${manifest.pageSize} (${manifest.total}). It was not published by this run's planner.`,
      { runId: task.runId, page: task.page },
    );
  }
}
