import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, repoRoot, runCli, type CliResult } from './cli.js';
import { TableReader } from './duckdb.js';
import { tempDir } from './hooks.js';
import type { HostileApi } from './hostile-api.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
export const START = '2024-01-01T00:00:00.000Z';
export const END = '2024-01-03T00:00:00.000Z';
export const RUN = 'hostile.cursor.20240101T000000Z-20240103T000000Z';
/** The CLI arguments that plan the window's cursor walk. */
export const WINDOW_ARGS = ['--service', 'hostile', '--endpoint', 'cursor', '--start-date', START, '--end-date', END];

export interface CursorWalkRun {
  /** The sink folder of the current test. */
  readonly dir: string;
  /** The hostile test API the current test started (closed after it). */
  api: HostileApi | undefined;
  /** `npm start` with `args`, the copied config and the sink, one attempt per task. */
  local(args: string[]): Promise<CliResult>;
  /** Pages landed, each once however many UTC dates its parts span. */
  pagesLanded(): number;
  /** The run's `_SUCCESS` files. */
  sealed(): string[];
}

/**
 * A cursor walk of the hostile test API's `cursor` endpoint with its page size and
 * `limits` set in a copy of the config: a fresh sink folder and config copy around
 * each test of the calling `describe`, the API closed after it.
 */
export function cursorWalkRun(options: {
  pageSize: number;
  limits: Record<string, number>;
  cliTimeoutMs: number;
}): CursorWalkRun {
  let sink: { dir: string; cleanup: () => void } | undefined;
  let configs: { dir: string; cleanup: () => void } | undefined;
  const dirOf = (made: { dir: string } | undefined): string => {
    if (!made) throw new Error('cursorWalkRun: used outside a test');
    return made.dir;
  };
  const run: CursorWalkRun = {
    get dir() {
      return dirOf(sink);
    },
    api: undefined,
    local: (args) =>
      runCli(
        APPS.local,
        [...args, '--config-dir', dirOf(configs), '--sink', run.dir, '--max-attempts', '1'],
        cleanEnv({ API_BASE_URL: run.api?.url, LOG_LEVEL: 'warn' }),
        options.cliTimeoutMs,
      ),
    pagesLanded: () =>
      new Set(
        filesIn(join(run.dir, 'hostile', 'cursor'))
          .map((f) => /(page-s\d+-\d+)\.ndjson$/.exec(f)?.[1])
          .filter((stem) => stem !== undefined),
      ).size,
    sealed: () => filesIn(run.dir).filter((f) => f.endsWith('_SUCCESS')),
  };
  beforeEach(() => {
    sink = tempDir();
    configs = tempDir('rdc-config-');
    cpSync(CONFIG_DIR, configs.dir, { recursive: true });
    const file = join(configs.dir, 'hostile.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      endpoints: { cursor: { pagination: Record<string, unknown> } };
    };
    config.endpoints.cursor.pagination.pageSize = options.pageSize;
    writeFileSync(file, JSON.stringify({ ...config, limits: options.limits }));
  });
  afterEach(async () => {
    await run.api?.close();
    run.api = undefined;
    sink?.cleanup();
    configs?.cleanup();
  });
  return run;
}

/**
 * Runs `--resume` until the run seals, checking each resume: its API requests equal
 * the new pages it landed (no landed page fetched again), it landed some, and one
 * that stops again names `setting` and `--resume` (and, with `boundPages`, took at
 * least that many pages). Returns how many resumes it took.
 */
export async function resumeUntilSealed(
  run: CursorWalkRun,
  check: { setting: string; maxResumes: number; boundPages?: number },
): Promise<number> {
  const api = run.api;
  if (!api) throw new Error('resumeUntilSealed: start the API first');
  let resumes = 0;
  let landed = run.pagesLanded();
  let requests = api.requests;
  for (;;) {
    const resumed = await run.local(['--resume', RUN]);
    resumes++;
    const now = run.pagesLanded();
    // Healthy pages all hold records, so every request of a resume lands one new page.
    expect(api.requests - requests, `requests of resume ${resumes} against the pages it landed`).to.equal(now - landed);
    expect(now, `resume ${resumes} landed new pages`).to.be.above(landed);
    // A resume that stops again took one more bound of pages in the slice it stopped.
    if (resumed.code !== 0 && check.boundPages !== undefined)
      expect(now - landed, `pages of resume ${resumes}`).to.be.at.least(check.boundPages);
    landed = now;
    requests = api.requests;
    if (resumed.code === 0) return resumes;
    expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(1);
    expect(resumed.stderr)
      .to.match(/slice \d+\/\d+ \[/)
      .and.to.include(check.setting)
      .and.to.include(`--resume ${RUN}`);
    expect(resumes, 'resumes needed').to.be.below(check.maxResumes);
  }
}

/** Every id of the window landed once, read back with DuckDB. */
export async function expectEveryIdOnce(run: CursorWalkRun): Promise<void> {
  const api = run.api;
  if (!api) throw new Error('expectEveryIdOnce: start the API first');
  const reader = await TableReader.open(join(run.dir, 'hostile', 'cursor'));
  try {
    const rows = await reader.rows('SELECT id, count(*) AS n FROM {table} GROUP BY id HAVING count(*) > 1');
    expect(rows, 'ids landed twice').to.deep.equal([]);
    expect(await reader.ids()).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)).sort());
  } finally {
    reader.close();
  }
}
