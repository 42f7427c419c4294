import { gzipSync } from 'node:zlib';
import { parquetMetadata, parquetRead, type FileMetaData } from 'hyparquet';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { PermanentError } from '@rdc/contracts';
import { IdDigest } from './id-digest.js';
import { idText } from './exact-json.js';
import type { ParquetLayout } from './parquet-schema.js';

/** Compression of the Parquet pages. */
export type ParquetCodec = 'snappy' | 'gzip' | 'uncompressed';

export interface ParquetFileOptions {
  /** Rows per row group: what one writer holds in memory before encoding. */
  rowGroupRows: number;
  /** A file is closed after the row group that takes it past this size, and the next one begun. */
  maxFileBytes: number;
  codec: ParquetCodec;
}

/** One Parquet file's bytes, with the rows it holds as the NDJSON parts gave them. */
export interface EncodedFile {
  /** 1-based, in write order. */
  index: number;
  bytes: Uint8Array;
  records: number;
  /** The ids of its rows, as read from the NDJSON parts. */
  ids: IdDigest;
}

const CODECS = { snappy: 'SNAPPY', gzip: 'GZIP', uncompressed: 'UNCOMPRESSED' } as const;
const gzip = (input: Uint8Array): Uint8Array => gzipSync(input);

/** Records of one file being written, as columns of converted values. */
class OpenFile {
  readonly bytes = new ByteWriter();
  readonly writer: ParquetWriter;
  readonly ids = new IdDigest();
  records = 0;
  columns: unknown[][];

  constructor(
    private readonly layout: ParquetLayout,
    options: ParquetFileOptions,
    kv: { key: string; value: string }[],
  ) {
    this.writer = new ParquetWriter({
      writer: this.bytes,
      schema: layout.schema,
      codec: CODECS[options.codec],
      compressors: { GZIP: gzip },
      kvMetadata: kv,
      createdBy: 'retail-data-connector',
    });
    this.columns = layout.columns.map(() => []);
  }

  get pending(): number {
    return this.columns[0]?.length ?? 0;
  }

  async flushGroup(): Promise<void> {
    const rows = this.pending;
    if (rows === 0) return;
    const columnData = this.layout.columns.map((c, i) => ({ name: c.name, data: this.columns[i] ?? [] }));
    await this.writer.write({ columnData, rowGroupSize: rows });
    this.columns = this.layout.columns.map(() => []);
  }
}

/**
 * Encodes records as Parquet files of `layout`, in row groups of
 * `rowGroupRows`: one file, or several when one passes `maxFileBytes`. Holds
 * one row group of records and the file being written, never the partition.
 * The bytes depend only on the records, their order and the options, so an
 * attempt after a crash encodes the same files again.
 */
export async function* encodeParquet(
  records: AsyncIterable<Record<string, unknown>>,
  layout: ParquetLayout,
  idField: string,
  options: ParquetFileOptions,
  kv: { key: string; value: string }[],
): AsyncGenerator<EncodedFile> {
  let index = 0;
  let file: OpenFile | undefined;
  const close = async (open: OpenFile): Promise<EncodedFile> => {
    await open.flushGroup();
    await open.writer.finish();
    return { index, bytes: open.bytes.getBytes(), records: open.records, ids: open.ids };
  };
  let row = 0;
  for await (const record of records) {
    row++;
    if (!file) {
      index++;
      file = new OpenFile(layout, options, kv);
    }
    for (let i = 0; i < layout.columns.length; i++) {
      const column = layout.columns[i]!;
      const value = Object.hasOwn(record, column.name) ? record[column.name] : undefined;
      file.columns[i]!.push(column.convert(value, `${column.name} (row ${row})`));
    }
    file.ids.add(idText(record[idField]));
    file.records++;
    if (file.pending >= options.rowGroupRows) {
      await file.flushGroup();
      if (file.bytes.offset >= options.maxFileBytes) {
        yield await close(file);
        file = undefined;
      }
    }
  }
  if (file) yield await close(file);
}

const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** What a stored Parquet file holds, read back from its bytes: rows, the multiset of its ids, its schema. */
export interface ReadBack {
  records: number;
  ids: IdDigest;
  metadata: FileMetaData;
}

/** Reads a Parquet file's id column back, one row group at a time. */
export async function readBack(bytes: Uint8Array, idField: string, where: string): Promise<ReadBack> {
  const file = arrayBufferOf(bytes);
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
  } catch (error) {
    throw new PermanentError(`${where} is not a readable Parquet file (${(error as Error).message}).`);
  }
  const ids = new IdDigest();
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    await parquetRead({
      file,
      metadata,
      columns: [idField],
      rowStart,
      rowEnd,
      onComplete: (rows: unknown[][]) => {
        for (const [id] of rows) ids.add(idText(id));
      },
    });
    rowStart = rowEnd;
  }
  return { records: Number(metadata.num_rows), ids, metadata };
}
