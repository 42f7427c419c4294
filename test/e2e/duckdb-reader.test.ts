import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { bigQuerySchema, loadServices } from '@rdc/contracts';
import { DATA_FILE } from '@rdc/core/bucket-layout.js';
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

/** The API's ids of one UTC day, sorted. */
const idsOfDay = (api: MockApi, day: string): string[] =>
  api.idsInWindow('sales', new Date(`${day}T00:00:00Z`), new Date(Date.parse(`${day}T00:00:00Z`) + DAY)).sort();

interface PageRecordFile {
  parts: { dt: string }[];
}

describe('a downstream reader (DuckDB, Hive partitioning) over the table folder', function () {
  this.timeout(90_000);

  for (const c of CASES) {
    it(`${c.plan} plan (${c.service}), gzip ${c.gzip ? 'on' : 'off'}: every record once, under its own date, typed as the schema says`, async () => {
      const api = await createMockApi({ seed: 13, ...c.mock });
      const { dir, cleanup } = tempDir();
      let reader: TableReader | undefined;
      try {
        const args = ['--service', c.service, '--endpoint', 'sales', '--start_date', START, '--end_date', END];
        args.push('--config-dir', CONFIG_DIR, '--sink', dir, '--json', ...(c.gzip ? ['--gzip'] : []));
        const run = await runCli(APPS.local, args, cleanEnv({ API_BASE_URL: api.url }), 60_000);
        expect(run.code, run.stderr.slice(-3000)).to.equal(0);
        const summary = JSON.parse(run.stdout) as { runId: string; plan: string };
        expect(summary.plan).to.equal(c.plan);

        // The table folder holds data objects and nothing else.
        const table = join(dir, c.service, 'sales');
        const files = filesIn(table);
        expect(files.length).to.be.greaterThan(10);
        expect(files.filter((f) => !DATA_FILE.test(f.slice(f.lastIndexOf('/') + 1)))).to.deep.equal([]);
        expect(files.every((f) => f.endsWith(c.gzip ? '.ndjson.gz' : '.ndjson'))).to.equal(true);

        reader = await TableReader.open(table);
        const expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(`${END}T00:00:00Z`));
        expect(expected.length).to.be.greaterThan(300);
        const [counts] = await reader.rows('SELECT count(*) AS n, count(DISTINCT id) AS d FROM {table}');
        expect(Number(counts!.n), 'rows').to.equal(expected.length);
        expect(Number(counts!.d), 'distinct ids').to.equal(expected.length);
        expect(await reader.ids()).to.deep.equal([...expected].sort());
        const [misplaced] = await reader.rows('SELECT count(*) AS n FROM {table} WHERE CAST(created_at AS DATE) <> dt');
        expect(Number(misplaced!.n), 'records outside their dt partition').to.equal(0);

        // Both ends of the window, and both dates of a page that spans midnight.
        const runFolder = join(dir, '_rdc/runs', c.service, 'sales', `run=${summary.runId}`);
        const split = filesIn(join(runFolder, 'pages'))
          .map((f) => JSON.parse(readFileSync(join(runFolder, 'pages', f), 'utf8')) as PageRecordFile)
          .find((r) => r.parts.length > 1);
        expect(split, 'a page that spans midnight').to.not.equal(undefined);
        const days = new Set(['2024-07-01', '2024-07-14', ...split!.parts.map((p) => p.dt)]);
        for (const day of days) {
          const ids = await reader.ids(`dt = DATE '${day}'`);
          expect(ids.length, day).to.be.greaterThan(0);
          expect(ids, `WHERE dt = ${day}`).to.deep.equal(idsOfDay(api, day));
        }

        // DuckDB's inferred column types agree with the generated schema, which the planner wrote beside the manifest.
        const endpoint = loadServices(CONFIG_DIR).services.get(c.service)!.endpoints.sales!;
        const schema = bigQuerySchema(endpoint.schema);
        const written = JSON.parse(readFileSync(join(runFolder, 'schema.bigquery.json'), 'utf8')) as unknown;
        expect(written).to.deep.equal(schema);
        const columns = await reader.columns();
        expect([...columns.keys()].sort()).to.deep.equal([...schema.map((f) => f.name), 'dt', 'run'].sort());
        for (const field of schema) expect(duckTypesFor(field), field.name).to.include(columns.get(field.name));
        expect(columns.get('dt')).to.equal('DATE');
      } finally {
        reader?.close();
        cleanup();
        await api.close();
      }
    });
  }
});
