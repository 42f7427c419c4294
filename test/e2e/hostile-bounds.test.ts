import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { createHostileApi, type HostileApi, type HostileMode } from '../support/hostile-api.js';
import { measuringRss } from '../support/rss.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile-bounds');
const START = '2024-01-01T00:00:00Z';
const END = '2024-01-03T00:00:00Z';
const RUN = 'hostile.sales.20240101T000000Z-20240103T000000Z';

const local = (args: string[], api: HostileApi, env: Record<string, string> = {}) =>
  runCli(APPS.local, args, cleanEnv({ API_BASE_URL: api.url, LOG_LEVEL: 'warn', ...env }), 90_000);

describe('a hostile API gets bounded waits and sizes, and nothing is lost once it is healthy', function () {
  this.timeout(120_000);
  let api: HostileApi | undefined;
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await api?.close();
    api = undefined;
    cleanup();
  });

  const common = () => ['--config-dir', CONFIG_DIR, '--sink', dir];
  const window = ['--service', 'hostile', '--endpoint', 'sales', '--start-date', START, '--end-date', END];

  it('a total of 1e15: exit 2 at once with the total, the pages and how to split; nothing written', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'huge-total' });
    const started = Date.now();
    const run = await local([...window, ...common()], api);
    expect(Date.now() - started).to.be.below(15_000);
    expect(run.code, run.stderr.slice(-2000)).to.equal(2);
    expect(run.stderr).to.include('1000000000000000 records').and.include('limits.maxPagesPerRun');
    expect(run.stderr).to.include('--end_date');
    expect(filesIn(dir)).to.deep.equal([]);
  });

  const cases: Array<{ mode: HostileMode; told: string; withinMs: number; maxRssMb?: number }> = [
    { mode: 'huge-retry-after', told: 'limits.maxRetryAfterSeconds', withinMs: 45_000 },
    // Every page answers 50 MB: read whole, 5 pages at once would need over 250 MB.
    { mode: 'huge-body', told: 'limits.maxResponseBytes', withinMs: 45_000, maxRssMb: 200 },
  ];
  for (const c of cases) {
    it(`${c.mode}: exit 1 within ${c.withinMs / 1000} s naming ${c.told}; --resume after recovery lands every record once`, async () => {
      api = await createHostileApi({ records: 500, stepMs: 300_000, mode: c.mode });
      const started = Date.now();
      const aux = tempDir('rdc-rss-');
      const rss = measuringRss(aux.dir);
      const run = await local([...window, '--max-attempts', '2', ...common()], api, rss.env);
      expect(Date.now() - started).to.be.below(c.withinMs);
      if (c.maxRssMb !== undefined) {
        expect(rss.peakMb(), 'peak RSS of the run (MB)').to.be.below(c.maxRssMb);
      }
      aux.cleanup();
      expect(run.code, run.stderr.slice(-2000)).to.equal(1);
      expect(run.stderr).to.include(c.told);
      expect(filesIn(dir).some((f) => f.endsWith('_SUCCESS'))).to.equal(false);

      api.mode = 'healthy';
      const resumed = await local(['--resume', RUN, ...common()], api);
      expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(0);
      expect(idsInFolder(join(dir, 'hostile', 'sales'))).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)));
    });
  }

  it('negative Retry-After counts as 0: the run completes without waiting, every record once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'negative-retry-after' });
    const started = Date.now();
    const run = await local([...window, ...common()], api);
    expect(run.code, run.stderr.slice(-2000)).to.equal(0);
    expect(Date.now() - started).to.be.below(30_000);
    expect(idsInFolder(join(dir, 'hostile', 'sales'))).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)));
  });
});
