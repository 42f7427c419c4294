import { DuckDBInstance } from '@duckdb/node-api';
import type { BigQueryField } from '@rdc/contracts';

/** A downstream reader: DuckDB over a table folder, with Hive partitioning, as users run it. */
export class TableReader {
  private constructor(
    private readonly db: DuckDBInstance,
    private readonly connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
    private readonly source: string,
  ) {}

  /** NDJSON (`json`, every object under the folder) or Parquet (`parquet`, the `*.parquet` objects under it). */
  static async open(tableFolder: string, format: 'json' | 'parquet' = 'json'): Promise<TableReader> {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const folder = tableFolder.replace(/\/$/, '').replace(/'/g, "''");
    const source =
      format === 'json'
        ? `read_json('${folder}/**', hive_partitioning = true)`
        : `read_parquet('${folder}/**/*.parquet', hive_partitioning = true)`;
    return new TableReader(db, connection, source);
  }

  /** Rows of `SELECT … FROM <table> …` as JSON-friendly objects (`{table}` stands for the source). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const result = await this.connection.runAndReadAll(sql.replace('{table}', this.source));
    return result.getRowObjectsJson();
  }

  async ids(where = 'true'): Promise<string[]> {
    return (await this.rows(`SELECT id FROM {table} WHERE ${where} ORDER BY id`)).map((r) => String(r.id));
  }

  /** Column name to DuckDB type, as DuckDB infers them from the files. */
  async columns(): Promise<Map<string, string>> {
    const rows = await this.rows('DESCRIBE SELECT * FROM {table}');
    return new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  }

  close(): void {
    this.connection.closeSync();
    this.db.closeSync();
  }
}

const DUCKDB_TYPES: Record<string, string[]> = {
  STRING: ['VARCHAR'],
  INT64: ['BIGINT'],
  FLOAT64: ['DOUBLE'],
  BOOL: ['BOOLEAN'],
  TIMESTAMP: ['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'],
  DATE: ['DATE'],
  JSON: ['JSON'],
};

/** The DuckDB types that agree with one BigQuery column (a RECORD is a STRUCT, REPEATED a list). */
export function duckTypesFor(field: BigQueryField): string[] {
  const base =
    field.type === 'RECORD'
      ? [`STRUCT(${(field.fields ?? []).map((f) => `${f.name} ${duckTypesFor(f)[0] ?? '?'}`).join(', ')})`]
      : (DUCKDB_TYPES[field.type] ?? []);
  return field.mode === 'REPEATED' ? base.map((t) => `${t}[]`) : base;
}
