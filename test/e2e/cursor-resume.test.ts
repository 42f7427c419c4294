import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, repoRoot, runCli } from '../support/cli.js';
import { TableReader } from '../support/duckdb.js';
import { tempDir } from '../support/hooks.js';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const START = '2024-01-01T00:00:00.000Z';
const END = '2024-01-03T00:00:00.000Z';
const RUN = 'hostile.cursor.20240101T000000Z-20240103T000000Z';
/** Records per page of the copied config, so each slice's walk takes several pages. */
const PAGE_SIZE = 20;
const BOUND = 4;

describe('a cursor walk stopped at its page bound continues on --resume from where it stopped', function () {
  this.timeout(180_000);
  let api: HostileApi | undefined;
  let dir: string;
  let configs: { dir: string; cleanup: () => void };
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    configs = tempDir('rdc-config-');
    cpSync(CONFIG_DIR, configs.dir, { recursive: true });
    const file = join(configs.dir, 'hostile.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      endpoints: { cursor: { pagination: Record<string, unknown> } };
    };
    config.endpoints.cursor.pagination.pageSize = PAGE_SIZE;
    writeFileSync(file, JSON.stringify({ ...config, limits: { maxPagesPerSlice: BOUND } }));
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    cleanup();
    configs.cleanup();
  });

  const local = (args: string[]) =>
    runCli(
      APPS.local,
      [...args, '--config-dir', configs.dir, '--sink', dir, '--max-attempts', '1'],
      cleanEnv({ API_BASE_URL: api?.url, LOG_LEVEL: 'warn' }),
      90_000,
    );
  const pageFiles = () => filesIn(join(dir, 'hostile', 'cursor')).filter((f) => /page-s\d+-\d+\.ndjson$/.test(f));
  const sealed = () => filesIn(dir).filter((f) => f.endsWith('_SUCCESS'));

  it('each --resume walks one more bound of pages from the last one landed, never fetching a landed page again; every record lands once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000 });
    const window = ['--service', 'hostile', '--endpoint', 'cursor', '--start-date', START, '--end-date', END];
    const first = await local(window);
    expect(first.code, first.stderr.slice(-2000)).to.equal(1);
    expect(first.stderr)
      .to.match(/slice [12]\/\d+ \[/)
      .and.to.match(/last cursor \\?"\d+\\?"/)
      .and.to.include('limits.maxPagesPerSlice')
      .and.to.include(`--resume ${RUN}`)
      .and.to.include('one more bound');
    expect(sealed()).to.deep.equal([]);
    const landedFirst = pageFiles().length;
    expect(landedFirst, 'pages landed before the bound').to.be.above(0);

    let resumes = 0;
    let landed = landedFirst;
    let requests = api.requests;
    for (;;) {
      const resumed = await local(['--resume', RUN]);
      resumes++;
      const now = pageFiles().length;
      // Healthy pages all hold records, so every request of a resume lands one new page.
      expect(api.requests - requests, `requests of resume ${resumes} against the pages it landed`).to.equal(
        now - landed,
      );
      expect(now, `resume ${resumes} landed new pages`).to.be.above(landed);
      // A resume that stops again took one more bound of pages in the slice it stopped.
      if (resumed.code !== 0) expect(now - landed, `pages of resume ${resumes}`).to.be.at.least(BOUND);
      landed = now;
      requests = api.requests;
      if (resumed.code === 0) break;
      expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(1);
      expect(resumed.stderr).to.include('limits.maxPagesPerSlice');
      expect(resumes, 'resumes needed').to.be.below(10);
    }
    expect(resumes, 'a walk longer than two bounds needs more than one resume').to.be.at.least(2);
    expect(sealed()).to.have.length(1);

    const reader = await TableReader.open(join(dir, 'hostile', 'cursor'));
    try {
      const rows = await reader.rows('SELECT id, count(*) AS n FROM {table} GROUP BY id HAVING count(*) > 1');
      expect(rows, 'ids landed twice').to.deep.equal([]);
      expect(await reader.ids()).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)).sort());
    } finally {
      reader.close();
    }
  });

  it('a cursor that never ends stops again on each --resume, after one more bound of pages per slice', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'endless-cursor' });
    const window = ['--service', 'hostile', '--endpoint', 'cursor', '--start-date', START, '--end-date', END];
    const first = await local(window);
    expect(first.code, first.stderr.slice(-2000)).to.equal(1);
    const slices = new Set([...first.stderr.matchAll(/slice (\d+)\/\d+ \[/g)].map((m) => m[1])).size;
    expect(slices, 'slices stopped at their bound').to.be.above(0);
    for (let resume = 1; resume <= 2; resume++) {
      const before = api.requests;
      const resumed = await local(['--resume', RUN]);
      expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(1);
      expect(resumed.stderr).to.include('limits.maxPagesPerSlice').and.include('one more bound');
      expect(api.requests - before, `requests of resume ${resume}`).to.equal(slices * BOUND);
    }
    expect(sealed()).to.deep.equal([]);
  });
});
