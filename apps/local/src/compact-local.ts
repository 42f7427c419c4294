import { errorMessage, type Log, ownValue, type ServiceCatalog, type Sink } from '@rdc/contracts';
import {
  compactRun,
  parquetEnabled,
  parquetOptions,
  parquetTableFolder,
  runIdentity,
  type RunManifest,
} from '@rdc/core';

/** What the embedded run's compaction did, for the summary. */
export interface ParquetSummary {
  /** The Parquet table folder (by dt= and run=). */
  location: string;
  /** Every partition is compacted, checked and marked, and `_COMPACTED` is written. */
  complete: boolean;
  records: number;
  partitions: number;
  files: number;
  seconds: number;
  /** Why the compaction was refused (nothing was marked for the partition it names). */
  error?: string;
}

/**
 * The embedded run compacts a sealed run in process, partition after
 * partition, when the endpoint's config or `--parquet` asks for it.
 */
export async function compactSealedRun(
  deps: { sink: Sink; catalog: ServiceCatalog; log: Log },
  manifest: RunManifest,
  force: boolean,
): Promise<ParquetSummary | undefined> {
  const service = deps.catalog.services.get(manifest.service);
  const endpoint = service && ownValue(service.endpoints, manifest.endpoint);
  if (!endpoint || !parquetEnabled(endpoint, force)) return undefined;
  const run = runIdentity(manifest);
  const started = Date.now();
  const location = `${deps.sink.url}/${parquetTableFolder(run)}`;
  try {
    const result = await compactRun(
      { sink: deps.sink, log: deps.log.child({ runId: run.runId }) },
      { run, window: run.window, idField: endpoint.idField, schema: endpoint.schema },
      parquetOptions(endpoint),
    );
    const marker = result.marker;
    return {
      location,
      complete: result.complete,
      records: marker?.records ?? 0,
      partitions: marker?.partitions ?? 0,
      files: marker?.files.reduce((n, p) => n + p.keys.length, 0) ?? 0,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    deps.log.error(`Compaction of run ${run.runId} into Parquet failed: ${errorMessage(error)}`, { runId: run.runId });
    return {
      location,
      complete: false,
      records: 0,
      partitions: 0,
      files: 0,
      seconds: (Date.now() - started) / 1000,
      error: errorMessage(error),
    };
  }
}
