import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { bigQuerySchema, loadServices } from '@rdc/contracts';
import { createMockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const FIXTURE = join(repoRoot, 'test/fixtures/analytics/an_pages.json');

interface Sale {
  id: string;
  status: string;
  items: { quantity: number }[];
}

/** Every record landed under the table folder (plain NDJSON). */
function landed(dir: string): Sale[] {
  const table = join(dir, 'an_pages/sales');
  return filesIn(table).flatMap((f) =>
    readFileSync(join(table, f), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Sale),
  );
}

describe('schema drift and the schema command', function () {
  this.timeout(60_000);

  it('counts fields the schema does not declare, in _SUCCESS, the summary and status, and writes records as given', async () => {
    const api = await createMockApi({ seed: 5 });
    const { dir, cleanup } = tempDir();
    try {
      // The config forgets `status` and the items' `quantity`.
      const config = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
        endpoints: { sales: { schema: Record<string, unknown> } };
      };
      delete config.endpoints.sales.schema.status;
      config.endpoints.sales.schema.items = [{ sku: 'string', unit_price: 'number' }];
      const configDir = join(dir, 'config');
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'an_pages.json'), JSON.stringify(config));
      const sink = join(dir, 'sink');
      const env = cleanEnv({ API_BASE_URL: api.url });
      const common = ['--config-dir', configDir, '--sink', sink];
      const run = await runCli(
        APPS.local,
        [
          '--service',
          'an_pages',
          '--endpoint',
          'sales',
          '--start_date',
          '2024-07-01',
          '--end_date',
          '2024-07-04',
          ...common,
          '--json',
        ],
        env,
      );
      expect(run.code, run.stderr.slice(-2000)).to.equal(0);
      const summary = JSON.parse(run.stdout) as {
        runId: string;
        drift?: Record<string, { records: number; type: string }>;
      };

      const records = landed(sink);
      expect(records.length).to.be.greaterThan(50);
      expect(
        records.every((r) => typeof r.status === 'string'),
        'records are written as the API gave them',
      ).to.equal(true);
      const withQuantity = records.filter((r) => r.items.some((i) => 'quantity' in i)).length;
      const expected = {
        status: { records: records.length, type: 'string' },
        'items[].quantity': { records: withQuantity, type: 'integer' },
      };
      expect(summary.drift).to.deep.equal(expected);
      const success = JSON.parse(
        readFileSync(join(sink, `_rdc/runs/an_pages/sales/run=${summary.runId}/_SUCCESS`), 'utf8'),
      ) as { drift: unknown };
      expect(success.drift).to.deep.equal(expected);

      const status = await runCli(APPS.local, ['status', summary.runId, '--sink', sink], env);
      expect(status.code, status.stderr).to.equal(0);
      expect(status.stdout).to.include(
        `Drift        items[].quantity (integer, ${withQuantity} records), status (string, ${records.length} records)`,
      );
    } finally {
      cleanup();
      await api.close();
    }
  });

  it('prints the BigQuery schema and the JSON Schema of an endpoint; bad arguments exit 2', async () => {
    const env = cleanEnv();
    const bq = await runCli(APPS.local, ['schema', '--service', 'retail', '--endpoint', 'sales'], env);
    expect(bq.code, bq.stderr).to.equal(0);
    const endpoint = loadServices().services.get('retail')!.endpoints.sales!;
    expect(JSON.parse(bq.stdout)).to.deep.equal(bigQuerySchema(endpoint.schema));
    const js = await runCli(
      APPS.local,
      ['schema', '--service', 'retail', '--endpoint', 'sales', '--format', 'json-schema'],
      env,
    );
    expect(js.code).to.equal(0);
    expect(JSON.parse(js.stdout)).to.include({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
    });

    const format = await runCli(
      APPS.local,
      ['schema', '--service', 'retail', '--endpoint', 'sales', '--format', 'xml'],
      env,
    );
    expect(format.code).to.equal(2);
    expect(format.stderr).to.include('--format').and.include('bigquery, json-schema').and.include('"xml"');
    const missing = await runCli(APPS.local, ['schema', '--service', 'retail'], env);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('--endpoint');
    const unknown = await runCli(APPS.local, ['schema', '--service', 'retail', '--endpoint', 'refunds'], env);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('Unknown endpoint "refunds"').and.include('sales');
  });

  it('status on a run of the old bucket layout says so instead of a wrong answer', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const runId = 'retail.sales.20240701T000000Z-20240801T000000Z';
      mkdirSync(join(dir, `retail/sales/dt=2024-07-01/run=${runId}`), { recursive: true });
      writeFileSync(join(dir, `retail/sales/dt=2024-07-01/run=${runId}/_manifest.json`), '{}');
      mkdirSync(join(dir, '_state/retail/sales'), { recursive: true });
      writeFileSync(join(dir, '_state/retail/sales/latest.json'), JSON.stringify({ runId }));
      for (const target of [[runId], ['retail/sales', 'latest']]) {
        const status = await runCli(APPS.local, ['status', ...target, '--sink', dir], cleanEnv());
        expect(status.code, target.join(' ')).to.equal(2);
        expect(status.stderr).to.include('old bucket layout').and.include('_rdc/').and.include('--sink');
      }
    } finally {
      cleanup();
    }
  });
});
