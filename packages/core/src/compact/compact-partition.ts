import { z } from 'zod';
import { PermanentError, type Log, type RecordSchemaSpec, type Sink } from '@rdc/contracts';
import {
  compactedPartitionKey,
  PARQUET_FILE,
  parquetKey,
  parquetPartitionFolder,
  type RunIdentity,
} from '../bucket-layout.js';
import { IdDigest } from './id-digest.js';
import { encodeParquet, readBack, type ParquetFileOptions } from './parquet-file.js';
import { parquetLayout } from './parquet-schema.js';
import { partitionParts, partRecords } from './partition-parts.js';

type RunRef = Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>;

/** What `_rdc/runs/…/compacted/dt=<date>.json` holds: the partition's Parquet files, read back and checked. */
export const PartitionMarker = z.object({
  v: z.literal(1),
  runId: z.string(),
  dt: z.string(),
  /** Records of the partition: in its NDJSON parts, and in its Parquet files. */
  records: z.number().int().nonnegative(),
  /** `<count>:<digest>` of the partition's ids (see IdDigest), equal on both sides. */
  ids: z.string(),
  ndjsonParts: z.number().int().nonnegative(),
  files: z.array(
    z.object({
      key: z.string(),
      records: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      rowGroups: z.number().int().nonnegative(),
    }),
  ),
  codec: z.string(),
  compactedAt: z.string(),
});
export type PartitionMarker = z.infer<typeof PartitionMarker>;

export interface PartitionToCompact {
  run: RunRef;
  /** `YYYY-MM-DD`. */
  dt: string;
  idField: string;
  schema: RecordSchemaSpec;
}

export interface CompactDeps {
  sink: Sink;
  log?: Log;
  now?: () => Date;
}

/** The marker of a compacted partition, or undefined. */
export async function readPartitionMarker(sink: Sink, run: RunRef, dt: string): Promise<PartitionMarker | undefined> {
  const key = compactedPartitionKey(run, dt);
  const body = await sink.get(key);
  if (!body) return undefined;
  const parsed = PartitionMarker.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) {
    throw new PermanentError(
      `${sink.url}/${key} is not a compaction marker this version can read; remove it and compact the run again.`,
    );
  }
  return parsed.data;
}

const refuse = (where: string, what: string, remedy: string): PermanentError =>
  new PermanentError(`Compaction of ${where} refused: ${what} Nothing was marked. ${remedy}`);

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

/**
 * Compacts one `dt=` partition of a sealed run into Parquet, exactly once:
 *
 * 1. Reads the partition's NDJSON parts in page order and encodes them as
 *    Parquet files, one row group at a time (a file past `maxFileBytes` is
 *    closed and the next begun).
 * 2. Writes each file once under its deterministic name (`putIfAbsent`). A
 *    file an interrupted attempt already wrote is kept when it holds exactly
 *    the bytes this attempt encodes.
 * 3. Reads every stored file back: its rows, and the multiset of its ids,
 *    must equal those of the NDJSON records it was made from; no other file
 *    may sit in the partition's Parquet folder.
 * 4. Only then writes the partition's marker (write once).
 *
 * A crash anywhere leaves no marker, or the marker after a complete check:
 * running it again finishes the work without writing a file twice. Anything
 * that does not match is refused with a PermanentError and left unmarked.
 */
export async function compactPartition(
  deps: CompactDeps,
  partition: PartitionToCompact,
  options: ParquetFileOptions,
): Promise<{ outcome: 'created' | 'exists'; marker: PartitionMarker }> {
  const { sink } = deps;
  const { run, dt, idField } = partition;
  const where = `run ${run.runId} partition dt=${dt}`;
  const done = await readPartitionMarker(sink, run, dt);
  if (done) return { outcome: 'exists', marker: done };

  const parts = await partitionParts(sink, run, dt);
  const layout = parquetLayout(partition.schema);
  const kv = [
    { key: 'rdc.runId', value: run.runId },
    { key: 'rdc.dt', value: dt },
  ];
  const files: PartitionMarker['files'] = [];
  const total = new IdDigest();
  for await (const file of encodeParquet(partRecords(sink, parts), layout, idField, options, kv)) {
    const key = parquetKey(run, dt, file.index);
    const put = await sink.putIfAbsent(key, file.bytes, {
      contentType: 'application/vnd.apache.parquet',
      metadata: { runId: run.runId, dt, records: String(file.records) },
    });
    const stored = await sink.get(key);
    const at = `${sink.url}/${key}`;
    if (!stored) throw refuse(where, `${at} was written but cannot be read back.`, 'Run compaction again.');
    if (!sameBytes(file.bytes, stored)) {
      throw refuse(
        where,
        `${at} (${put === 'exists' ? 'left by an earlier attempt' : 'just written'}) is not the file its ${parts.length} NDJSON parts encode to (${stored.length} bytes stored, ${file.bytes.length} encoded).`,
        `If the NDJSON parts are right, remove ${sink.url}/${parquetPartitionFolder(run, dt)} and compact the run again.`,
      );
    }
    const back = await readBack(stored, idField, at);
    if (back.records !== file.records || !back.ids.equals(file.ids)) {
      throw refuse(
        where,
        `${at} holds ${back.records} rows (ids ${back.ids.toString()}) but was made from ${file.records} NDJSON records (ids ${file.ids.toString()}).`,
        `Remove ${sink.url}/${parquetPartitionFolder(run, dt)} and compact the run again.`,
      );
    }
    total.merge(file.ids);
    files.push({ key, records: file.records, bytes: stored.length, rowGroups: back.metadata.row_groups.length });
    if (put === 'exists') deps.log?.info('Parquet file already written by an earlier attempt; kept', { key });
  }

  const folder = parquetPartitionFolder(run, dt);
  const ours = new Set(files.map((f) => f.key));
  const others = (await sink.list(folder)).filter((key) => !ours.has(key));
  if (others.length > 0) {
    const named = others.filter((k) => PARQUET_FILE.test(k.slice(folder.length)));
    throw refuse(
      where,
      `${others.length} object(s) in ${sink.url}/${folder} are not the ${files.length} file(s) its NDJSON parts encode to (${(named.length > 0 ? named : others).slice(0, 3).join(', ')}); readers would count their rows too.`,
      `Remove them (or the whole folder) and compact the run again.`,
    );
  }

  const marker: PartitionMarker = {
    v: 1,
    runId: run.runId,
    dt,
    records: total.count,
    ids: total.toString(),
    ndjsonParts: parts.length,
    files,
    codec: options.codec,
    compactedAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  const outcome = await sink.putIfAbsent(
    compactedPartitionKey(run, dt),
    Buffer.from(`${JSON.stringify(marker, null, 2)}\n`),
    {
      contentType: 'application/json',
    },
  );
  if (outcome === 'exists') return { outcome, marker: (await readPartitionMarker(sink, run, dt)) ?? marker };
  deps.log?.info('Partition compacted to Parquet', { dt, records: marker.records, files: files.length });
  return { outcome, marker };
}
