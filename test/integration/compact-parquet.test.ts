import { join } from 'node:path';
import { expect } from 'chai';
import { bigQuerySchema } from '@rdc/contracts';
import { compactedRunKey, compactRun, parquetTableFolder } from '@rdc/core';
import { compactedPartitionKey, parquetKey } from '@rdc/core/bucket-layout.js';
import { readPartitionMarker } from '@rdc/core/compact/compact-partition.js';
import { readRunCompaction } from '@rdc/core/compact/compact-run.js';
import { type ParquetFileOptions } from '@rdc/core/compact/parquet-file.js';
import { PARQUET_CODEC, PARQUET_ROW_GROUP_ROWS } from '@rdc/core/defaults.js';
import { FileSink } from '@rdc/sinks';
import { duckTypesFor, TableReader } from '../support/duckdb.js';
import { tempDir } from '../support/hooks.js';
import { ORDER_SCHEMA, writeSealedRun } from '../support/sealed-run.js';

const HOUR = 3_600_000;
const WINDOW = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-04T00:00:00Z') };
const OPTIONS: ParquetFileOptions = {
  rowGroupRows: PARQUET_ROW_GROUP_ROWS,
  maxFileBytes: 64 << 20,
  codec: PARQUET_CODEC,
};

describe('compaction of a sealed run into Parquet (real files, DuckDB as reader)', function () {
  this.timeout(60_000);

  for (const gzip of [false, true]) {
    it(`gzip ${gzip ? 'on' : 'off'}: every record once under its date, typed as the schema says, nested fields queryable`, async () => {
      const { dir, cleanup } = tempDir();
      let reader: TableReader | undefined;
      try {
        const sink = new FileSink(dir);
        // 3 days, a record every 7 minutes, pages of 25: pages span midnight.
        const sealed = await writeSealedRun(sink, {
          window: WINDOW,
          count: 610,
          stepMs: 7 * 60_000,
          pageSize: 25,
          gzip,
        });
        const target = { run: sealed.run, window: WINDOW, idField: 'id', schema: ORDER_SCHEMA };
        const result = await compactRun({ sink }, target, OPTIONS);
        expect(result.complete).to.equal(true);
        expect(result.markedNow).to.equal(true);
        expect(result.marker?.records).to.equal(610);

        reader = await TableReader.open(join(dir, parquetTableFolder(sealed.run)), 'parquet');
        const [counts] = await reader.rows('SELECT count(*) AS n, count(DISTINCT id) AS d FROM {table}');
        expect(Number(counts!.n)).to.equal(610);
        expect(Number(counts!.d)).to.equal(610);
        // 64-bit ids past 2^53 arrive exactly.
        expect((await reader.ids()).sort()).to.deep.equal([...sealed.ids].sort());
        for (const [dt, ids] of sealed.idsByDate) {
          expect((await reader.ids(`dt = DATE '${dt}'`)).sort(), `WHERE dt = ${dt}`).to.deep.equal([...ids].sort());
        }
        const [misplaced] = await reader.rows(
          "SELECT count(*) AS n FROM {table} WHERE CAST(timezone('UTC', created_at) AS DATE) <> dt",
        );
        expect(Number(misplaced!.n)).to.equal(0);

        // Column types are the schema's, as the BigQuery schema file states them.
        const columns = await reader.columns();
        const schema = bigQuerySchema(ORDER_SCHEMA);
        expect([...columns.keys()].sort()).to.deep.equal([...schema.map((f) => f.name), 'dt', 'run'].sort());
        for (const field of schema) expect(duckTypesFor(field), field.name).to.include(columns.get(field.name));

        // Nested fields and lists are queryable; microseconds and nulls survive.
        const [nested] = await reader.rows(
          `SELECT sum(len(items)) AS items, sum(list_sum(list_transform(items, x -> x.quantity))) AS qty,
                  count(*) FILTER (WHERE customer.vip) AS vips, count(note) AS notes, count(birthday) AS birthdays,
                  max(extract(microsecond FROM created_at) % 1000) AS micro, count(extra) AS extras
           FROM {table}`,
        );
        expect(Number(nested!.items)).to.equal(609); // i % 3 items per record over 610 records
        expect(Number(nested!.vips)).to.equal(153);
        expect(Number(nested!.notes)).to.equal(204);
        expect(Number(nested!.birthdays)).to.equal(122);
        expect(Number(nested!.extras)).to.equal(102);
        expect(Number(nested!.micro)).to.be.greaterThan(0);
        const [first] = await reader.rows(
          `SELECT customer.id AS cid, tags, json_extract_string(extra, '$.source') AS source FROM {table} WHERE id = ${sealed.ids[0]}`,
        );
        expect(first).to.deep.include({ cid: 'c0', source: 'web' });
        expect(first!.tags).to.deep.equal(['a', 'b']);

        // One marker per partition, one for the run.
        const marker = await readPartitionMarker(sink, sealed.run, '2024-07-02');
        expect(marker?.records).to.equal(sealed.idsByDate.get('2024-07-02')?.length);
        expect(marker?.files.map((f) => f.key)).to.deep.equal([parquetKey(sealed.run, '2024-07-02', 1)]);
        expect(await readRunCompaction(sink, sealed.run)).to.deep.include({ records: 610, partitions: 3 });
      } finally {
        reader?.close();
        cleanup();
      }
    });
  }

  it('splits a partition past the configured size into several files, still every record once', async () => {
    const { dir, cleanup } = tempDir();
    let reader: TableReader | undefined;
    try {
      const sink = new FileSink(dir);
      const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
      const sealed = await writeSealedRun(sink, { window, count: 2000, stepMs: 40_000, pageSize: 100, gzip: false });
      await compactRun(
        { sink },
        { run: sealed.run, window, idField: 'id', schema: ORDER_SCHEMA },
        {
          ...OPTIONS,
          rowGroupRows: 250,
          maxFileBytes: 4096,
        },
      );
      const marker = await readPartitionMarker(sink, sealed.run, '2024-07-01');
      expect(marker!.files.length).to.be.greaterThan(2);
      expect(marker!.files.reduce((n, f) => n + f.records, 0)).to.equal(2000);
      reader = await TableReader.open(join(dir, parquetTableFolder(sealed.run)), 'parquet');
      expect((await reader.ids()).sort()).to.deep.equal([...sealed.ids].sort());
    } finally {
      reader?.close();
      cleanup();
    }
  });

  it('refuses to compact a run that is not sealed', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const sink = new FileSink(dir);
      const sealed = await writeSealedRun(sink, { window: WINDOW, count: 10, stepMs: HOUR, pageSize: 5, gzip: false });
      await sink.delete(`_rdc/runs/shop/orders/run=${sealed.run.runId}/_SUCCESS`);
      const target = { run: sealed.run, window: WINDOW, idField: 'id', schema: ORDER_SCHEMA };
      const error = await compactRun({ sink }, target, OPTIONS).catch((e: unknown) => e as Error);
      expect((error as Error).message).to.match(/not sealed/);
      expect(await sink.exists(compactedPartitionKey(sealed.run, '2024-07-01'))).to.equal(false);
      expect(await sink.exists(compactedRunKey(sealed.run))).to.equal(false);
    } finally {
      cleanup();
    }
  });
});
