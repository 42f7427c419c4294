import { z } from 'zod';
import { PermanentError, type RecordSchemaSpec, type Sink, type Window } from '@rdc/contracts';
import {
  COMPACTED_PARTITION_FILE,
  compactedPrefix,
  compactedRunKey,
  parquetTableFolder,
  successKey,
  utcDate,
  type RunIdentity,
} from '../bucket-layout.js';
import { compactPartition, readPartitionMarker, type CompactDeps, type PartitionMarker } from './compact-partition.js';
import type { ParquetFileOptions } from './parquet-file.js';

type RunRef = Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>;

const DAY_MS = 86_400_000;

/**
 * The `dt=` partitions a run can have: every UTC date its window touches
 * (a record's timestamp is checked to fall inside the window when it lands).
 * One compaction task each; a date without records gets a marker of 0 records.
 */
export function compactionDates(window: Window): string[] {
  const dates: string[] = [];
  const last = Math.floor((window.end.getTime() - 1) / DAY_MS);
  for (let day = Math.floor(window.start.getTime() / DAY_MS); day <= last; day++) dates.push(utcDate(day * DAY_MS));
  return dates;
}

/** What `_rdc/runs/…/run=<runId>/_COMPACTED` holds. */
export const RunCompactionMarker = z.object({
  v: z.literal(1),
  runId: z.string(),
  /** The Parquet table folder, relative to the sink's root. */
  table: z.string(),
  records: z.number().int().nonnegative(),
  partitions: z.number().int().nonnegative(),
  /** Partitions that hold records, with their files. */
  files: z.array(z.object({ dt: z.string(), keys: z.array(z.string()), records: z.number().int().nonnegative() })),
  compactedAt: z.string(),
});
export type RunCompactionMarker = z.infer<typeof RunCompactionMarker>;

const SealRecords = z.object({ records: z.number().int().nonnegative() });

/** Records of a sealed run, from its `_SUCCESS`; undefined while it is not sealed. */
async function sealedRecords(sink: Sink, run: RunRef): Promise<number | undefined> {
  const body = await sink.get(successKey(run));
  if (!body) return undefined;
  return SealRecords.parse(JSON.parse(body.toString('utf8'))).records;
}

export async function readRunCompaction(sink: Sink, run: RunRef): Promise<RunCompactionMarker | undefined> {
  const body = await sink.get(compactedRunKey(run));
  return body ? RunCompactionMarker.parse(JSON.parse(body.toString('utf8'))) : undefined;
}

export interface RunCompaction {
  /** Every partition is marked, and the run marker is written (by this call or an earlier one). */
  complete: boolean;
  /** This call wrote the run marker. */
  markedNow: boolean;
  /** Dates still without a partition marker. */
  pending: string[];
  marker?: RunCompactionMarker;
}

/**
 * Writes the run's `_COMPACTED` once every partition is marked and their
 * records add up to the seal's. Cheap while partitions are pending (one
 * listing), so every compaction task calls it after its own partition.
 */
export async function finishRunCompaction(deps: CompactDeps, run: RunRef, window: Window): Promise<RunCompaction> {
  const { sink } = deps;
  const existing = await readRunCompaction(sink, run);
  if (existing) return { complete: true, markedNow: false, pending: [], marker: existing };
  const prefix = compactedPrefix(run);
  const marked = new Set<string>();
  for (const key of await sink.list(prefix)) {
    const m = COMPACTED_PARTITION_FILE.exec(key.slice(prefix.length));
    if (m?.[1]) marked.add(m[1]);
  }
  const dates = compactionDates(window);
  const pending = dates.filter((dt) => !marked.has(dt));
  if (pending.length > 0) return { complete: false, markedNow: false, pending };

  const sealed = await sealedRecords(sink, run);
  const markers: PartitionMarker[] = [];
  for (const dt of dates) {
    const marker = await readPartitionMarker(sink, run, dt);
    if (marker) markers.push(marker);
  }
  const records = markers.reduce((sum, m) => sum + m.records, 0);
  if (sealed === undefined || records !== sealed) {
    throw new PermanentError(
      `Compaction of run ${run.runId} refused: its ${dates.length} partitions hold ${records} records in Parquet, but the run was sealed with ${sealed ?? 'no _SUCCESS and so no count of'} records. ` +
        `NDJSON parts were changed or removed after the seal. No run marker was written. Compare ${sink.url}/${compactedPrefix(run)} with the page records under the run's pages/ folder.`,
    );
  }
  const marker: RunCompactionMarker = {
    v: 1,
    runId: run.runId,
    table: parquetTableFolder(run),
    records,
    partitions: dates.length,
    files: markers
      .filter((m) => m.records > 0)
      .map((m) => ({ dt: m.dt, keys: m.files.map((f) => f.key), records: m.records })),
    compactedAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  const outcome = await sink.putIfAbsent(compactedRunKey(run), Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), {
    contentType: 'application/json',
  });
  if (outcome === 'created')
    deps.log?.info('Run compacted to Parquet', { runId: run.runId, records, partitions: dates.length });
  return { complete: true, markedNow: outcome === 'created', pending: [], marker };
}

export interface RunToCompact {
  run: RunRef;
  window: Window;
  idField: string;
  schema: RecordSchemaSpec;
}

/**
 * Compacts every partition of a sealed run in this process, one after the
 * other (memory: one row group and one file), then writes the run marker.
 * Running it again after a crash finishes what is left.
 */
export async function compactRun(
  deps: CompactDeps,
  target: RunToCompact,
  options: ParquetFileOptions,
): Promise<RunCompaction> {
  if ((await sealedRecords(deps.sink, target.run)) === undefined) {
    throw new PermanentError(`Run ${target.run.runId} is not sealed (no _SUCCESS); only a sealed run is compacted.`);
  }
  const done = await readRunCompaction(deps.sink, target.run);
  if (done) return { complete: true, markedNow: false, pending: [], marker: done };
  for (const dt of compactionDates(target.window)) {
    await compactPartition(deps, { run: target.run, dt, idField: target.idField, schema: target.schema }, options);
  }
  return finishRunCompaction(deps, target.run, target.window);
}
