import { PermanentError, TASK_VERSION, type CompactTask, type EndpointConfig } from '@rdc/contracts';
import { compactedPartitionKey, successKey } from '../bucket-layout.js';
import { PARQUET_CODEC, PARQUET_MAX_FILE_BYTES, PARQUET_ROW_GROUP_ROWS } from '../defaults.js';
import { allowListedEndpoint } from '../task/allow-list.js';
import { runOf, type HandlerDeps, type TaskResult } from '../task/handler-deps.js';
import { runIdentity, type RunManifest } from '../state/manifest.js';
import { compactPartition } from './compact-partition.js';
import { compactionDates, finishRunCompaction } from './compact-run.js';
import type { ParquetFileOptions } from './parquet-file.js';

/** Whether an endpoint's sealed runs are compacted: its `parquet` config, or `force` (`--parquet`, `RDC_PARQUET`). */
export const parquetEnabled = (endpoint: EndpointConfig, force = false): boolean =>
  force || (endpoint.parquet?.enabled ?? false);

/** The Parquet file options of an endpoint: its `parquet` config over the defaults. */
export function parquetOptions(endpoint: EndpointConfig): ParquetFileOptions {
  const config = endpoint.parquet;
  return {
    rowGroupRows: config?.rowGroupRows ?? PARQUET_ROW_GROUP_ROWS,
    maxFileBytes: config ? config.maxFileMB * 1024 * 1024 : PARQUET_MAX_FILE_BYTES,
    codec: config?.codec ?? PARQUET_CODEC,
  };
}

/** One compaction task per UTC date of a sealed run's window, for the queue. */
export function* compactionTasks(manifest: RunManifest): Generator<CompactTask> {
  const run = runIdentity(manifest);
  for (const dt of compactionDates(run.window)) {
    yield {
      v: TASK_VERSION,
      kind: 'compact',
      runId: manifest.runId,
      service: manifest.service,
      endpoint: manifest.endpoint,
      window: manifest.window,
      dt,
    };
  }
}

/**
 * Compacts the task's partition (see compactPartition), then writes the run's
 * marker if this was the last partition. Safe to deliver again: a marked
 * partition costs one read. `endpoint`: the task's allow-listed endpoint, when
 * the caller looked it up.
 */
export async function handleCompactTask(
  task: CompactTask,
  deps: HandlerDeps,
  endpoint: EndpointConfig = allowListedEndpoint(task, deps.catalog),
): Promise<TaskResult> {
  const run = runOf(task);
  if (!(await deps.sink.exists(successKey(run)))) {
    throw new PermanentError(
      `Compaction task dt=${task.dt} of run ${task.runId}: the run is not sealed (no _SUCCESS in ${deps.sink.url}); compaction tasks are published only when a run seals, so this one is stale or forged.`,
      { runId: task.runId },
    );
  }
  const log = deps.log.child({ runId: task.runId, dt: task.dt });
  const { outcome } = await compactPartition(
    { sink: deps.sink, log },
    { run, dt: task.dt, idField: endpoint.idField, schema: endpoint.schema },
    parquetOptions(endpoint),
  );
  await finishRunCompaction({ sink: deps.sink, log }, run, run.window);
  return {
    outcome: outcome === 'created' ? 'landed' : 'already-landed',
    key: compactedPartitionKey(run, task.dt),
    records: 0,
  };
}
