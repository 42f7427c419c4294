/**
 * Compaction's reference: DuckDB's `COPY … TO (FORMAT parquet)` over the same
 * NDJSON table folder, typed as the schema says, partitioned by dt, Snappy.
 *
 * argv[2]: JSON { table, out }. Prints one JSON line: records, files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const { table, out } = JSON.parse(process.argv[2] ?? '{}') as { table: string; out: string };
const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const columns =
  "{id: 'VARCHAR', created_at: 'TIMESTAMPTZ', customer_id: 'VARCHAR', store_id: 'VARCHAR', status: 'VARCHAR', " +
  "currency: 'VARCHAR', amount: 'DOUBLE', items: 'STRUCT(sku VARCHAR, quantity BIGINT, unit_price DOUBLE)[]'}";
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(
  `COPY (SELECT * FROM read_json(${quote(`${table}/**/*.ndjson`)}, format = 'newline_delimited', hive_partitioning = true, columns = ${columns}))
   TO ${quote(out)} (FORMAT parquet, PARTITION_BY (dt), COMPRESSION snappy)`,
);
const counted = await connection.runAndReadAll(
  `SELECT count(*) AS n FROM read_parquet(${quote(`${out}/**/*.parquet`)})`,
);
const records = Number(counted.getRowObjectsJson()[0]?.n ?? 0);
const files = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.parquet')).length;
connection.closeSync();
db.closeSync();
process.stdout.write(`${JSON.stringify({ records, files, out: join(out) })}\n`);
