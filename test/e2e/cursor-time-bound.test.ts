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
/** Records per page of the copied config: each of the window's slices (~120 records) takes ~8 pages. */
const PAGE_SIZE = 15;
/** `limits.maxSliceSeconds` of the copied config. */
const SECONDS = 1;
/** The API answers each request this late, so a slice's walk outlasts its seconds after a few pages. */
const DELAY_MS = 400;

describe('a cursor walk stopped at its time bound continues on --resume from where it stopped', function () {
  this.timeout(120_000);
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
    writeFileSync(file, JSON.stringify({ ...config, limits: { maxSliceSeconds: SECONDS } }));
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
      60_000,
    );
  /** Pages landed, each once however many UTC dates its parts span. */
  const pagesLanded = () =>
    new Set(
      filesIn(join(dir, 'hostile', 'cursor'))
        .map((f) => /(page-s\d+-\d+)\.ndjson$/.exec(f)?.[1])
        .filter((stem) => stem !== undefined),
    ).size;
  const sealed = () => filesIn(dir).filter((f) => f.endsWith('_SUCCESS'));

  it('a slow API stops the walk at limits.maxSliceSeconds; each --resume goes on from the last landed page, never fetching it again; every record lands once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, delayMs: DELAY_MS });
    const window = ['--service', 'hostile', '--endpoint', 'cursor', '--start-date', START, '--end-date', END];
    const first = await local(window);
    expect(first.code, first.stderr.slice(-2000)).to.equal(1);
    expect(first.stderr)
      .to.match(/slice [12]\/\d+ \[/)
      .and.to.match(/last cursor \\?"\d+\\?"/)
      .and.to.include('limits.maxSliceSeconds')
      .and.to.include(`--resume ${RUN}`)
      .and.not.to.include('limits.maxPagesPerSlice');
    expect(sealed()).to.deep.equal([]);
    const landedFirst = pagesLanded();
    expect(landedFirst, 'pages landed before the time bound').to.be.above(0);

    let resumes = 0;
    let landed = landedFirst;
    let requests = api.requests;
    for (;;) {
      const resumed = await local(['--resume', RUN]);
      resumes++;
      const now = pagesLanded();
      // Healthy pages all hold records, so every request of a resume lands one new page.
      expect(api.requests - requests, `requests of resume ${resumes} against the pages it landed`).to.equal(
        now - landed,
      );
      expect(now, `resume ${resumes} landed new pages`).to.be.above(landed);
      landed = now;
      requests = api.requests;
      if (resumed.code === 0) break;
      expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(1);
      expect(resumed.stderr)
        .to.match(/slice [12]\/\d+ \[/)
        .and.to.include('limits.maxSliceSeconds')
        .and.to.include(`--resume ${RUN}`);
      // Every attempt lands at least one page of each slice it walks, so ~8 pages per slice end within 12 resumes.
      expect(resumes, 'resumes needed').to.be.below(13);
    }
    expect(resumes, 'a walk longer than two time bounds needs more than one resume').to.be.at.least(2);
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
});
