import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApiOptions } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/pagination');
/** Every fixture in test/fixtures/pagination asks for pages of 100. */
const PAGE_SIZE = 100;

interface Style {
  service: string;
  mock: Partial<MockApiOptions>;
  counted: boolean;
}

const STYLES: Style[] = [
  { service: 'pg_offset', mock: {}, counted: true },
  { service: 'pg_page0', mock: { pagination: 'page', firstPage: 0, totalIn: 'x-total-count' }, counted: true },
  { service: 'pg_wp_total', mock: { pagination: 'page', totalIn: 'wp' }, counted: true },
  { service: 'pg_wp_pages', mock: { pagination: 'page', totalIn: 'wp' }, counted: true },
  { service: 'pg_link', mock: { pagination: 'link-header', strictLinks: true }, counted: false },
  { service: 'pg_cursor', mock: { pagination: 'body-cursor' }, counted: false },
  { service: 'pg_next_url', mock: { pagination: 'body-cursor', bodyNext: 'url', strictLinks: true }, counted: false },
  { service: 'pg_after', mock: { pagination: 'starting-after' }, counted: false },
];

interface Summary {
  complete: boolean;
  records: number;
  requests: number;
  slices?: number;
  workers: number;
}

/**
 * Runs `npm start` over [start, end) at default settings (no --slice) and
 * checks every id landed once and the API saw at most 1.2 × ideal + 2
 * requests, the ideal being the pages that hold the records (+1 count for
 * counted styles).
 */
async function runWithinBudget(
  style: Style,
  data: Partial<MockApiOptions>,
  start: string,
  end: string,
): Promise<Summary> {
  const api = await createMockApi({ ...data, ...style.mock });
  const { dir, cleanup } = tempDir();
  try {
    const args = ['--service', style.service, '--endpoint', 'sales', '--start_date', start, '--end_date', end];
    const result = await runCli(
      APPS.local,
      [...args, '--config-dir', CONFIG_DIR, '--sink', dir, '--json'],
      cleanEnv({ API_BASE_URL: api.url }),
      90_000,
    );
    expect(result.code, result.stderr.slice(-3000)).to.equal(0);
    const summary = JSON.parse(result.stdout) as Summary;
    const expected = api.idsInWindow('sales', new Date(start), new Date(end));
    const landed = idsInFolder(dir);
    expect(new Set(landed).size, 'no id twice').to.equal(landed.length);
    expect(landed).to.deep.equal(expected);
    expect(filesIn(dir).filter((f) => f.startsWith('_deadletter/'))).to.deep.equal([]);
    const ideal = Math.ceil(expected.length / PAGE_SIZE) + (style.counted ? 1 : 0);
    const bound = 1.2 * ideal + 2;
    expect(api.stats.byStatus[400] ?? 0, 'no request the API refused').to.equal(0);
    expect(api.stats.requests, `${api.stats.requests} requests for an ideal of ${ideal}`).to.be.at.most(bound);
    expect(summary.requests, 'the summary counts the requests the API saw').to.equal(api.stats.requests);
    return summary;
  } finally {
    cleanup();
    await api.close();
  }
}

describe('requests near the ideal at default settings, in every pagination style', function () {
  this.timeout(120_000);

  for (const style of STYLES) {
    it(`${style.service}: a sparse year (5,000 records) costs at most 1.2 × ideal + 2 requests`, async () => {
      const year = {
        sales: 5000,
        dataStart: new Date('2024-01-01T00:00:00Z'),
        dataEnd: new Date('2025-01-01T00:00:00Z'),
      };
      await runWithinBudget(style, year, '2024-01-01', '2025-01-01');
    });
  }

  for (const style of STYLES.filter((s) => !s.counted)) {
    it(`${style.service}: a dense month (50,000 records) fans out over the workers within the same bound`, async () => {
      const month = {
        sales: 50_000,
        dataStart: new Date('2024-03-01T00:00:00Z'),
        dataEnd: new Date('2024-04-01T00:00:00Z'),
      };
      const summary = await runWithinBudget(style, month, '2024-03-01', '2024-04-01');
      expect(summary.slices, 'tasks for every worker slot').to.be.at.least(summary.workers);
    });
  }

  it('the fixtures ask for pages of PAGE_SIZE', () => {
    for (const style of STYLES) {
      const config = JSON.parse(readFileSync(join(CONFIG_DIR, `${style.service}.json`), 'utf8')) as {
        endpoints: { sales: { pagination: { pageSize: number } } };
      };
      expect(config.endpoints.sales.pagination.pageSize, style.service).to.equal(PAGE_SIZE);
    }
  });
});
