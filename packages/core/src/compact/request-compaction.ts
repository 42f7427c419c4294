import { errorMessage, ownValue, type Log, type ServiceCatalog, type Sink, type TaskPublisher } from '@rdc/contracts';
import { compactedRunKey, compactionRequestedKey, successKey } from '../bucket-layout.js';
import { runIdentity, type RunManifest } from '../state/manifest.js';
import { compactionTasks, parquetEnabled } from './handle-compact.js';

export interface CompactionRequestDeps {
  sink: Sink;
  catalog: ServiceCatalog;
  log: Log;
  /** Where compaction tasks go (the page topic); without it the run is logged as not compacted. */
  compactions?: TaskPublisher | undefined;
  /** Compact every sealed run, whatever its endpoint's config says (`--parquet`, `RDC_PARQUET`). @default false */
  parquet?: boolean;
  /** Who asks, for the message when there is nowhere to publish: e.g. `this worker has no --compact-topic (RDC_COMPACT_TOPIC)`. */
  noPublisher?: string;
}

/** `published`: this call published the tasks; `requested`: an earlier call did; `off`: the endpoint is not compacted. */
export type CompactionRequest = 'published' | 'requested' | 'off' | 'no-publisher' | 'failed';

/**
 * Publishes the compaction tasks of a sealed run (one per dt= partition) once
 * the run is sealed, whichever step sealed it: the worker that landed its last
 * page, the planner that found it complete, or a later worker that saw it
 * sealed. A write-once marker, written after the tasks are on the queue, tells
 * later callers it was done; a crash between the two publishes them again,
 * which is harmless (each partition is compacted once).
 */
export async function requestCompaction(
  manifest: RunManifest,
  deps: CompactionRequestDeps,
): Promise<CompactionRequest> {
  const service = deps.catalog.services.get(manifest.service);
  const endpoint = service && ownValue(service.endpoints, manifest.endpoint);
  if (!endpoint || !parquetEnabled(endpoint, deps.parquet)) return 'off';
  const run = runIdentity(manifest);
  const marker = compactionRequestedKey(run);
  if ((await deps.sink.exists(marker)) || (await deps.sink.exists(compactedRunKey(run)))) return 'requested';
  if (!(await deps.sink.exists(successKey(run)))) return 'off';
  const log = deps.log.child({ runId: manifest.runId });
  const byHand = `npm start -- --resume ${manifest.runId} --parquet --sink ${deps.sink.url}`;
  if (!deps.compactions) {
    log.warn(
      `Run ${manifest.runId} is sealed and its endpoint is compacted into Parquet, but ${deps.noPublisher ?? 'there is no topic to publish to'}: ` +
        `its compaction tasks were not published. Compact it with \`${byHand}\`.`,
    );
    return 'no-publisher';
  }
  let tasks = 0;
  try {
    for (const task of compactionTasks(manifest)) {
      await deps.compactions.publish(task);
      tasks++;
    }
    await deps.compactions.flush();
    const body = { v: 1, runId: manifest.runId, tasks, requestedAt: new Date().toISOString() };
    await deps.sink.putIfAbsent(marker, Buffer.from(`${JSON.stringify(body)}\n`), { contentType: 'application/json' });
  } catch (error) {
    log.error(
      `Run ${manifest.runId} is sealed, but publishing its compaction tasks failed after ${tasks}: ${errorMessage(error)}. ` +
        `Compact it with \`${byHand}\` (tasks already published are harmless: each partition is compacted once).`,
    );
    return 'failed';
  }
  log.info(`Run ${manifest.runId}: ${tasks} compaction tasks published, one per dt= partition`);
  return 'published';
}
