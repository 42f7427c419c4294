import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { bigQuerySchema, loadServices } from '@rdc/contracts';
import { PARQUET_FILE } from '@rdc/core/bucket-layout.js';
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, repoRoot, runCli } from '../support/cli.js';
import { duckTypesFor, TableReader } from '../support/duckdb.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/analytics');
const START = '2024-07-01';
const END = '2024-07-15';
const DAY = 86_400_000;

interface Case {
  service: 'an_pages' | 'an_cursor';
  plan: 'pages' | 'slices';
  mock: Partial<MockApiOptions>;
  gzip: boolean;
}

const CASES: Case[] = [
  { service: 'an_pages', plan: 'pages', mock: {}, gzip: false },
  { service: 'an_pages', plan: 'pages', mock: {}, gzip: true },
  { service: 'an_cursor', plan: 'slices', mock: { pagination: 'body-cursor' }, gzip: false },
  { service: 'an_cursor', plan: 'slices', mock: { pagination: 'body-cursor' }, gzip: true },
];

const idsOfDay = (api: MockApi, day: string): string[] =>
  api.idsInWindow('sales', new Date(`${day}T00:00:00Z`), new Date(Date.parse(`${day}T00:00:00Z`) + DAY)).sort();

interface Summary {
  runId: string;
  plan: string;
  parquet?: { complete: boolean; records: number; partitions: number; files: number };
}

describe('a downstream reader (DuckDB, Hive partitioning) over the compacted Parquet table (npm start --parquet)', function () {
  this.timeout(120_000);

  for (const c of CASES) {
    it(`${c.plan} plan (${c.service}), gzip ${c.gzip ? 'on' : 'off'}: every record once under its own date, one file per partition, typed as the schema says`, async () => {
      const api = await createMockApi({ seed: 13, ...c.mock });
      const { dir, cleanup } = tempDir();
      let reader: TableReader | undefined;
      try {
        const args = ['--service', c.service, '--endpoint', 'sales', '--start_date', START, '--end_date', END];
        args.push('--config-dir', CONFIG_DIR, '--sink', dir, '--json', '--parquet', ...(c.gzip ? ['--gzip'] : []));
        const run = await runCli(APPS.local, args, cleanEnv({ API_BASE_URL: api.url }), 90_000);
        expect(run.code, run.stderr.slice(-3000)).to.equal(0);
        const summary = JSON.parse(run.stdout) as Summary;
        expect(summary.plan).to.equal(c.plan);
        const expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(`${END}T00:00:00Z`));
        expect(summary.parquet).to.deep.include({
          complete: true,
          records: expected.length,
          partitions: 14,
          files: 14,
        });

        // The Parquet table folder holds one Parquet file per partition and nothing else; the NDJSON table is untouched.
        const table = join(dir, c.service, 'sales.parquet');
        const files = filesIn(table);
        expect(files).to.have.length(14);
        expect(files.every((f) => PARQUET_FILE.test(f.slice(f.lastIndexOf('/') + 1)))).to.equal(true);
        const ndjson = filesIn(join(dir, c.service, 'sales'));
        expect(ndjson.length).to.be.greaterThan(14);

        reader = await TableReader.open(table, 'parquet');
        const [counts] = await reader.rows('SELECT count(*) AS n, count(DISTINCT id) AS d FROM {table}');
        expect(Number(counts!.n), 'rows').to.equal(expected.length);
        expect(Number(counts!.d), 'distinct ids').to.equal(expected.length);
        expect(await reader.ids()).to.deep.equal([...expected].sort());
        const [misplaced] = await reader.rows(
          "SELECT count(*) AS n FROM {table} WHERE CAST(timezone('UTC', created_at) AS DATE) <> dt",
        );
        expect(Number(misplaced!.n), 'records outside their dt partition').to.equal(0);

        // Both ends of the window, and both dates of a page that spans midnight.
        const runFolder = join(dir, '_rdc/runs', c.service, 'sales', `run=${summary.runId}`);
        const split = filesIn(join(runFolder, 'pages'))
          .map((f) => JSON.parse(readFileSync(join(runFolder, 'pages', f), 'utf8')) as { parts: { dt: string }[] })
          .find((r) => r.parts.length > 1);
        expect(split, 'a page that spans midnight').to.not.equal(undefined);
        for (const day of new Set(['2024-07-01', '2024-07-14', ...split!.parts.map((p) => p.dt)])) {
          const ids = await reader.ids(`dt = DATE '${day}'`);
          expect(ids.length, day).to.be.greaterThan(0);
          expect(ids, `WHERE dt = ${day}`).to.deep.equal(idsOfDay(api, day));
        }

        // Column types are the schema's; nested fields are queryable.
        const endpoint = loadServices(CONFIG_DIR).services.get(c.service)!.endpoints.sales!;
        const schema = bigQuerySchema(endpoint.schema);
        const columns = await reader.columns();
        expect([...columns.keys()].sort()).to.deep.equal([...schema.map((f) => f.name), 'dt', 'run'].sort());
        for (const field of schema) expect(duckTypesFor(field), field.name).to.include(columns.get(field.name));
        const [nested] = await reader.rows(
          'SELECT count(*) AS n FROM {table} WHERE len(items) > 0 AND items[1].quantity > 0',
        );
        expect(Number(nested!.n)).to.be.greaterThan(0);
        expect(readFileSync(join(runFolder, '_COMPACTED'), 'utf8')).to.include(`"records": ${expected.length}`);
      } finally {
        reader?.close();
        cleanup();
        await api.close();
      }
    });
  }
});
