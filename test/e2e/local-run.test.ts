import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, runCli, windowArgs } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const START = '2024-07-01';
const END = '2024-10-01T00:00:00Z';

describe('embedded run through the real CLI (npm start)', function () {
  this.timeout(180_000);
  let api: MockApi;

  before(async () => {
    api = await createMockApi({});
  });
  after(async () => {
    await api.close();
  });

  for (const endpoint of ['sales', 'customers', 'products'] as const) {
    it(`lands every ${endpoint} record of the window exactly once`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const result = await runCli(
          APPS.local,
          windowArgs(endpoint, START, END, `file://${dir}`, '--json'),
          cleanEnv({ API_BASE_URL: api.url }),
        );
        expect(result.code, result.stderr).to.equal(0);
        const summary = JSON.parse(result.stdout) as {
          complete: boolean;
          pages: number;
          records: number;
          location: string;
        };
        const expected = api.idsInWindow(endpoint, new Date(`${START}T00:00:00Z`), new Date(END));
        expect(expected.length).to.be.greaterThan(0);
        const landed = idsInFolder(dir);
        expect(landed).to.have.length(expected.length);
        expect(new Set(landed).size).to.equal(landed.length);
        expect(landed).to.deep.equal(expected);
        expect(summary.complete).to.equal(true);
        expect(summary.pages).to.equal(Math.ceil(expected.length / 250));
        expect(summary.records).to.equal(expected.length);
        expect(filesIn(dir).filter((f) => f.endsWith('_SUCCESS'))).to.have.length(1);
        expect(filesIn(dir).filter((f) => f.endsWith('/manifest.json'))).to.have.length(1);
      } finally {
        cleanup();
      }
    });
  }

  it('runs the README command against the bundled mock API and prints a summary', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const result = await runCli(
        APPS.local,
        ['--service', 'retail', '--endpoint', 'sales', '--start_date', START, '--sink', dir],
        cleanEnv({ LOG_FORMAT: 'pretty' }),
      );
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.include('Started the bundled retail mock API');
      expect(result.stdout).to.match(/Run retail\.sales\.\S+ complete/);
      expect(result.stdout).to.match(/pages\s+\d+\/\d+ landed/);
      expect(result.stdout).to.match(/records\s+[\d,]+/);
      expect(result.stdout).to.match(/seconds\s+[\d.]+/);
      expect(result.stdout).to.include(`file://${dir}/retail/sales/`);
      const landed = idsInFolder(dir);
      // The bundled API's default data puts about 100 pages of sales in this window.
      expect(landed.length).to.be.within(90 * 250, 110 * 250);
      expect(new Set(landed).size).to.equal(landed.length);
    } finally {
      cleanup();
    }
  });

  it('a second run of the same window lands nothing twice', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const args = windowArgs('products', START, END, dir, '--json');
      const env = cleanEnv({ API_BASE_URL: api.url });
      const first = await runCli(APPS.local, args, env);
      expect(first.code, first.stderr).to.equal(0);
      const before = filesIn(dir);
      const second = await runCli(APPS.local, args, env);
      expect(second.code, second.stderr).to.equal(0);
      expect(filesIn(dir)).to.deep.equal(before);
      expect((JSON.parse(second.stdout) as { landed: number }).landed).to.equal(0);
      expect(idsInFolder(dir)).to.deep.equal(
        api.idsInWindow('products', new Date(`${START}T00:00:00Z`), new Date(END)),
      );
    } finally {
      cleanup();
    }
  });

  it('--dry-run prints the plan and fetches no page', async () => {
    const { dir, cleanup } = tempDir();
    try {
      api.resetStats();
      const result = await runCli(
        APPS.local,
        windowArgs('sales', START, END, dir, '--dry-run'),
        cleanEnv({ API_BASE_URL: api.url }),
      );
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('dry run').and.include('pages');
      expect(api.stats.requests).to.equal(1);
      expect(filesIn(dir)).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });
});

describe('CLI errors', function () {
  this.timeout(30_000);

  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown service', ['--service', 'shopify', '--endpoint', 'sales'], /Unknown service "shopify".*retail/],
    [
      'an unknown endpoint',
      ['--service', 'retail', '--endpoint', 'orders'],
      /Unknown endpoint "orders".*customers, products, sales/,
    ],
    [
      'a bad date',
      ['--service', 'retail', '--endpoint', 'sales', '--start_date', '2024-13-45'],
      /--start_date "2024-13-45"/,
    ],
    ['a missing --service', ['--endpoint', 'sales'], /--service and --endpoint are required/],
    ['an unknown flag', ['--service', 'retail', '--endpoint', 'sales', '--colour'], /Unknown flag --colour\./],
    [
      'a queue it cannot run',
      ['--service', 'retail', '--endpoint', 'sales', '--queue', 'pubsub'],
      /in-process queue.*npm run worker/,
    ],
    ['a bad queue name', ['--service', 'retail', '--endpoint', 'sales', '--queue', 'kafka'], /queue.*pubsub.*memory/],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 on ${what}, with a clear message`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const result = await runCli(
          APPS.local,
          [...args, '--sink', dir],
          cleanEnv({ API_BASE_URL: 'http://127.0.0.1:9' }),
        );
        expect(result.code).to.equal(2);
        expect(result.stderr.replace(/\n/g, ' ')).to.match(message);
        expect(filesIn(dir)).to.deep.equal([]);
      } finally {
        cleanup();
      }
    });
  }

  it('--help documents every flag', async () => {
    for (const app of [APPS.local, APPS.planner]) {
      const result = await runCli(app, ['--help'], cleanEnv());
      expect(result.code).to.equal(0);
      for (const flag of ['--service', '--endpoint', '--start_date', '--end_date', '--dry-run', '--sink']) {
        expect(result.stdout, `${app} ${flag}`).to.include(flag);
      }
    }
  });
});
