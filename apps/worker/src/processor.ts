import {
  errorMessage,
  PermanentError,
  type Delivery,
  type Log,
  type ServiceCatalog,
  type Sink,
  type Source,
  type Task,
  type TaskPublisher,
} from '@rdc/contracts';
import {
  authorizeTask,
  compactionTasks,
  parquetEnabled,
  finalizeRun,
  handleTask,
  parseRunId,
  processDelivery,
  readManifest,
  type Processed,
  type ProcessDeps,
  type RunManifest,
} from '@rdc/core';

export interface ProcessorDeps {
  catalog: ServiceCatalog;
  sourceFor(service: string): Source;
  sink: Sink;
  log: Log;
  gzip: boolean;
  maxDeliveryAttempts: number;
  /** Compact every sealed run into Parquet, whatever its endpoint's config says. @default false */
  parquet?: boolean;
  /** Where the sealer publishes a run's compaction tasks (one per dt= partition). */
  compactions?: TaskPublisher;
}

export type Processor = (delivery: Delivery, decode?: ProcessDeps['decode']) => Promise<Processed>;

/** Runs up to this many pages are checked for completion after every landed page (one list call). */
export const CHECK_EVERY_PAGE_UP_TO = 1_000;
/** Larger runs are checked at most this often per instance; `status` and the next plan finalize the rest. */
export const COMPLETION_CHECK_INTERVAL_MS = 30_000;
const REMEMBERED_RUNS = 1_000;

/**
 * The worker's page pipeline, shared by push and pull: handle the task, map the
 * outcome, and after a page lands check whether the run is complete (then
 * write `_SUCCESS` and advance the watermark).
 */
export function createProcessor(deps: ProcessorDeps): Processor {
  const manifests = new Map<string, RunManifest>();
  const lastCheck = new Map<string, number>();
  const finished = new Set<string>();

  // A completion check lists the run's folder: O(pages) per check. Checking after
  // every page of a 100k-page backfill would be O(pages²), so large runs are checked
  // on a timer's pace instead.
  async function manifestFor(runId: string): Promise<RunManifest | undefined> {
    let manifest = manifests.get(runId);
    if (!manifest) {
      manifest = await readManifest(deps.sink, parseRunId(runId));
      if (manifest) manifests.set(runId, manifest);
    }
    return manifest;
  }

  /**
   * A page task must be the one the planner published for its run: the same page
   * size, page count and total as the run's manifest. A stale or forged task with
   * a smaller page could otherwise land a short page under the real page's name.
   */
  async function checkAgainstPlan(task: Task): Promise<void> {
    if (task.kind !== 'page' || task.slice) return; // slice tasks are checked by the slice handler
    let manifest = await manifestFor(task.runId);
    const matches = (m: RunManifest | undefined): boolean =>
      m !== undefined && m.pageSize === task.pageSize && m.pages === task.pages && m.total === task.total;
    if (!matches(manifest)) {
      // The run may have been repaired (retired and planned again) since the manifest was cached.
      manifests.delete(task.runId);
      manifest = await manifestFor(task.runId);
    }
    if (!manifest) {
      throw new PermanentError(
        `Run ${task.runId} has no manifest in ${deps.sink.url}; only tasks the planner published for this sink can be worked. Check RDC_SINK.`,
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

  /** The sealer of a run publishes its compaction tasks, when its endpoint is compacted. */
  async function publishCompaction(manifest: RunManifest): Promise<void> {
    const endpoint = deps.catalog.services.get(manifest.service)?.endpoints[manifest.endpoint];
    if (!endpoint || !parquetEnabled(endpoint, deps.parquet)) return;
    const log = deps.log.child({ runId: manifest.runId });
    if (!deps.compactions) {
      log.warn(
        `Run ${manifest.runId} is sealed and its endpoint is compacted into Parquet, but this worker has no --compact-topic (RDC_COMPACT_TOPIC): its compaction tasks were not published.`,
      );
      return;
    }
    let tasks = 0;
    try {
      for (const task of compactionTasks(manifest)) {
        await deps.compactions.publish(task);
        tasks++;
      }
      await deps.compactions.flush();
    } catch (error) {
      // Only the sealer publishes, once: say how to compact the run by hand.
      log.error(
        `Run ${manifest.runId} is sealed, but publishing its compaction tasks failed after ${tasks}: ${errorMessage(error)}. ` +
          `Compact it with \`npm start -- --resume ${manifest.runId} --parquet --sink ${deps.sink.url}\` (tasks already published are harmless: each partition is compacted once).`,
      );
      return;
    }
    log.info(`Run ${manifest.runId}: ${tasks} compaction tasks published, one per dt= partition`);
  }

  async function afterLanded(task: Task): Promise<void> {
    if (task.kind === 'compact' || finished.has(task.runId)) return;
    const manifest = await manifestFor(task.runId);
    if (!manifest) return;
    if (manifest.pages > CHECK_EVERY_PAGE_UP_TO) {
      const now = Date.now();
      if (now - (lastCheck.get(task.runId) ?? 0) < COMPLETION_CHECK_INTERVAL_MS) return;
      lastCheck.set(task.runId, now);
    }
    const status = await finalizeRun(deps.sink, manifest);
    if (status.complete) {
      if (finished.size >= REMEMBERED_RUNS) finished.clear();
      finished.add(task.runId);
      manifests.delete(task.runId);
      lastCheck.delete(task.runId);
      // Logged by the one sealer that wrote _SUCCESS, so once per run however many workers saw it complete.
      if (status.sealedNow) {
        deps.log.info(`Run ${task.runId} complete: ${status.landedPages}/${status.expectedPages} pages landed`, {
          runId: task.runId,
        });
        await publishCompaction(manifest);
      }
    } else if (status.integrity) {
      const { integrity } = status;
      deps.log.error(
        `Run ${task.runId} NOT SEALED: every page landed, but the records do not add up (${integrity.distinct} distinct ids in ${integrity.records} records` +
          `${integrity.expected !== undefined ? `, ${integrity.expected} planned` : ''}): ${integrity.explanation ?? ''}. ` +
          `Pages: ${integrity.pages.join(', ') || '-'}. ${integrity.remedy ?? ''}`,
        { runId: task.runId, integrity: { cause: integrity.cause, sample: integrity.sample.slice(0, 3) } },
      );
    }
  }

  return (delivery, decode) =>
    processDelivery(delivery, {
      handle: async (task) => {
        await checkAgainstPlan(task);
        return handleTask(task, deps);
      },
      sink: deps.sink,
      log: deps.log,
      maxDeliveryAttempts: deps.maxDeliveryAttempts,
      authorize: (task) => void authorizeTask(task, deps.catalog),
      afterLanded,
      ...(decode ? { decode } : {}),
    });
}
