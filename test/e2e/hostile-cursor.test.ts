import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';
import { measuringRss } from '../support/rss.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const START = '2024-01-01T00:00:00.000Z';
const END = '2024-01-03T00:00:00.000Z';
const RUN = (endpoint: string) => `hostile.${endpoint}.20240101T000000Z-20240103T000000Z`;

describe('a hostile cursor API: empty pages are followed, a walk is bounded, nothing is sealed short', function () {
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

  const local = (args: string[], env: Record<string, string> = {}, configDir = CONFIG_DIR, timeoutMs = 90_000) =>
    runCli(
      APPS.local,
      [...args, '--config-dir', configDir, '--sink', dir],
      cleanEnv({ API_BASE_URL: api?.url, LOG_LEVEL: 'warn', ...env }),
      timeoutMs,
    );
  const window = (endpoint: string) => [
    '--service',
    'hostile',
    '--endpoint',
    endpoint,
    '--start-date',
    START,
    '--end-date',
    END,
  ];
  const landed = (endpoint: string) => idsInFolder(join(dir, 'hostile', endpoint));
  const sealed = () => filesIn(dir).filter((f) => f.endsWith('_SUCCESS'));
  const expected = () => api!.idsInWindow(new Date(START), new Date(END));

  for (const endpoint of ['cursor', 'link']) {
    it(`${endpoint}: empty pages mid-stream with a next ${endpoint === 'link' ? 'link' : 'cursor'} are followed; every record lands once, sealed`, async () => {
      api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'empty-pages' });
      const run = await local(window(endpoint));
      expect(run.code, run.stderr.slice(-2000)).to.equal(0);
      expect(expected()).to.have.length(400);
      expect(landed(endpoint)).to.deep.equal(expected());
      expect(sealed()).to.have.length(1);
    });
  }

  it('after: an empty page with has_more true exits 1 naming it, seals nothing; --resume once healthy lands every record once', async () => {
    // Hidden records inside the first day only: the second day's slice is walked whole in either mode.
    api = await createHostileApi({
      records: 500,
      stepMs: 300_000,
      mode: 'empty-pages',
      hiddenFrom: 100,
      hiddenTo: 200,
    });
    const run = await local([...window('after'), '--max-attempts', '2']);
    expect(run.code, run.stderr.slice(-2000)).to.equal(1);
    expect(run.stderr).to.include('empty with has_more true');
    expect(sealed()).to.deep.equal([]);

    api.mode = 'healthy';
    const resumed = await local(['--resume', RUN('after')]);
    expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(0);
    expect(landed('after')).to.deep.equal(expected());
    expect(sealed()).to.have.length(1);
  });

  it('an endless cursor fails within bounded time and memory, naming the slice, the last cursor and the setting; --repair once healthy lands every record once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'endless-cursor' });
    const aux = tempDir('rdc-rss-');
    try {
      const rss = measuringRss(aux.dir);
      const started = Date.now();
      const run = await local([...window('cursor'), '--max-attempts', '1'], rss.env);
      expect(Date.now() - started).to.be.below(60_000);
      expect(rss.peakMb(), 'peak RSS of the run (MB)').to.be.below(300);
      expect(run.code, run.stderr.slice(-2000)).to.equal(1);
      expect(run.stderr)
        .to.match(/slice [12]\/2 \[/)
        .and.to.match(/last cursor \\?"\d+\\?"/)
        .and.to.include('limits.maxPagesPerSlice');
      // Two slices of a day, each walked to its bound of 100 pages, and the probe.
      expect(api.requests, 'each walk stopped at its bound').to.be.at.most(2 * 100 + 5);
      expect(sealed()).to.deep.equal([]);
    } finally {
      aux.cleanup();
    }

    api.mode = 'healthy';
    const repaired = await local(['--repair', RUN('cursor')]);
    expect(repaired.code, repaired.stderr.slice(-2000)).to.equal(0);
    expect(landed('cursor')).to.deep.equal(expected());
    expect(sealed()).to.have.length(1);
  });

  it('a slice longer than limits.maxPagesPerSlice fails naming it; raised, --resume lands every record once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000 });
    const configs = tempDir('rdc-config-');
    try {
      cpSync(CONFIG_DIR, configs.dir, { recursive: true });
      const file = join(configs.dir, 'hostile.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as { limits?: Record<string, number> };
      writeFileSync(file, JSON.stringify({ ...config, limits: { maxPagesPerSlice: 2 } }));
      const run = await local([...window('cursor'), '--max-attempts', '1'], {}, configs.dir);
      expect(run.code, run.stderr.slice(-2000)).to.equal(1);
      expect(run.stderr).to.include('limits.maxPagesPerSlice').and.include('--resume');
      expect(sealed()).to.deep.equal([]);

      writeFileSync(file, JSON.stringify({ ...config, limits: { maxPagesPerSlice: 50 } }));
      const resumed = await local(['--resume', RUN('cursor')], {}, configs.dir);
      expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(0);
      expect(landed('cursor')).to.deep.equal(expected());
      expect(sealed()).to.have.length(1);
    } finally {
      configs.cleanup();
    }
  });

  for (const bulk of [500, 300]) {
    it(`a bulk import (${bulk} of 500 records at one instant) is walked in few slices, within 1.2 × ideal + 2 requests`, async () => {
      api = await createHostileApi({ records: 500, stepMs: 300_000, bulk });
      const day = ['--service', 'hostile', '--endpoint', 'cursor', '--start-date', START, '--end-date', '2024-01-02'];
      const started = Date.now();
      const run = await local(day, {}, CONFIG_DIR, 60_000);
      expect(Date.now() - started).to.be.below(30_000);
      expect(run.code, run.stderr.slice(-2000)).to.equal(0);
      const ids = api.idsInWindow(new Date(START), new Date('2024-01-02'));
      expect(ids).to.have.length(500);
      expect(landed('cursor')).to.deep.equal(ids);
      const ideal = Math.ceil(ids.length / 100);
      expect(api.requests, `${api.requests} requests for an ideal of ${ideal}`).to.be.at.most(1.2 * ideal + 2);
      expect(sealed()).to.have.length(1);
    });
  }
});
