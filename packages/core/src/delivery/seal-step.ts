import type { Log, ServiceCatalog, Task, TaskPublisher } from '@rdc/contracts';
import { parseRunId } from '../bucket-layout.js';
import { requestCompaction } from '../compact/request-compaction.js';
import { finalizeRun } from '../state/completion.js';
import type { ManifestCache } from '../state/manifest.js';
import { allUnitsLanded } from '../state/block-seal.js';
import type { TaskResult } from '../task/handler-deps.js';
/** Sealed runs a processor remembers, so their late redeliveries cost no list call. */
const REMEMBERED_RUNS = 1_000;

/**
 * The completion step after a page lands: was it the run's last? That is found
 * with a few small list calls whatever the run's size (allUnitsLanded: write-once
 * markers per block of 100 pages, each holding its block's summary); then write
 * `_SUCCESS` and advance the watermark (finalizeRun, which checks the run's
 * records from the top level's markers, without reading its pages again).
 */
export interface SealStepDeps {
  manifests: ManifestCache;
  catalog: ServiceCatalog;
  log: Log;
  /** Compact every sealed run into Parquet, whatever its endpoint's config says. @default false */
  parquet?: boolean;
  /** Where the sealer publishes a run's compaction tasks (one per dt= partition). */
  compactions?: TaskPublisher;
}

export function createSealStep(deps: SealStepDeps): (task: Task, result: TaskResult) => Promise<void> {
  const finished = new Set<string>();

  return async (task, result) => {
    if (task.kind === 'compact' || finished.has(task.runId)) return;
    const manifest = await deps.manifests.get(parseRunId(task.runId));
    if (!manifest) return;
    if (!(await allUnitsLanded(deps.manifests.sink, manifest, result.key))) return;
    const status = await finalizeRun(deps.manifests.sink, manifest);
    if (status.complete) {
      if (finished.size >= REMEMBERED_RUNS) finished.clear();
      finished.add(task.runId);
      deps.manifests.forget(task.runId);
      // Logged by the one sealer that wrote _SUCCESS, so once per run however many workers saw it complete.
      if (status.sealedNow) {
        deps.log.info(`Run ${task.runId} complete: ${status.landedPages}/${status.expectedPages} pages landed`, {
          runId: task.runId,
        });
      }
      // Whoever sealed it (this worker, another, the planner, `status`), a run is compacted once it is sealed;
      // without a topic only the sealer says so.
      if (status.sealedNow || deps.compactions) {
        await requestCompaction(manifest, {
          sink: deps.manifests.sink,
          catalog: deps.catalog,
          log: deps.log,
          compactions: deps.compactions,
          ...(deps.parquet !== undefined && { parquet: deps.parquet }),
          noPublisher: 'this worker has no --compact-topic (RDC_COMPACT_TOPIC)',
        });
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
  };
}
