import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/pagination');
const DAY = 86_400_000;

describe('consistency while the API inserts records during the run', function () {
  this.timeout(60_000);
  let api: MockApi | undefined;

  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const cases = [
    { service: 'pg_offset', pagination: 'offset' as const, args: [] as string[] },
    { service: 'pg_after', pagination: 'starting-after' as const, args: ['--slice', '7d'] },
  ];
  for (const c of cases) {
    it(`${c.service}: the output is exactly the pinned window, though records keep arriving`, async () => {
      // Generated data up to 10 days ago; everything later is inserted while the API runs.
      const dataEnd = new Date(Date.now() - 10 * DAY);
      const start = new Date(Date.now() - 30 * DAY);
      api = await createMockApi({
        pagination: c.pagination,
        growthPerSecond: 2000,
        sales: 5000,
        dataStart: new Date(Date.now() - 60 * DAY),
        dataEnd,
      });
      const { dir, cleanup } = tempDir();
      try {
        // Let records arrive before planning too, so some of them fall inside the window:
        // the end is truncated to the second, so wait past the next full second.
        await sleep(1_300);
        const before = api.stats.inserted.sales;
        const result = await runCli(
          APPS.local,
          [
            '--service',
            c.service,
            '--endpoint',
            'sales',
            '--start_date',
            start.toISOString(),
            '--end_granularity',
            '1s',
            '--config-dir',
            CONFIG_DIR,
            '--sink',
            dir,
            '--json',
            ...c.args,
          ],
          cleanEnv({ API_BASE_URL: api.url }),
          30_000,
        );
        expect(result.code, result.stderr.slice(-3000)).to.equal(0);
        const summary = JSON.parse(result.stdout) as { complete: boolean; window: { start: string; end: string } };
        expect(summary.complete).to.equal(true);
        const end = new Date(summary.window.end);
        expect(api.stats.inserted.sales - before, 'records arrived during the run').to.be.greaterThan(0);
        expect(api.countInWindow('sales', end), 'records after the pinned end').to.be.greaterThan(0);

        const expected = api.idsInWindow('sales', start, end);
        expect(
          expected.length - api.countInWindow('sales', start, dataEnd),
          'inserted records in the window',
        ).to.be.greaterThan(0);
        const landed = idsInFolder(dir);
        expect(new Set(landed).size).to.equal(landed.length);
        expect(landed).to.deep.equal(expected);
      } finally {
        cleanup();
      }
    });
  }
});
