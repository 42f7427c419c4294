import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createHostileApi, type HostileApi, type HostileMode } from '../support/hostile-api.js';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const START = '2024-01-01T00:00:00.000Z';
/** 500 records 5 minutes apart: pages span midnight, so some land as two date parts. */
const END = '2024-01-03T00:00:00.000Z';
const RUN = (endpoint: string) => `hostile.${endpoint}.20240101T000000Z-20240103T000000Z`;

interface Case {
  mode: HostileMode;
  endpoint: 'sales' | 'paged' | 'capped' | 'after';
  /** What `status` must name: pages, and ids (a repeated id, or a page range of dead letters). */
  status: (out: string, repeated: string[]) => void;
  /** Extra flags for the run that meets the hostile API. */
  args?: string[];
}

/** Ids that occur more than once in `ids`. */
function repeatedIds(ids: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(ids.filter((id) => seen.has(id) || !seen.add(id)))];
}

const cases: Case[] = [
  {
    mode: 'ignore-offset',
    endpoint: 'sales',
    status: (out) => {
      expect(out).to.include('page-000002, page-000003, page-000004, page-000005');
      expect(out).to.include('h_0000001 in page-000001 and page-000002');
      expect(out).to.match(/ignored the offset or page parameter/);
    },
  },
  {
    mode: 'ignore-offset',
    endpoint: 'paged',
    status: (out) => {
      expect(out).to.include('Repeated id  h_0000001 in page-000001 and page-000002');
      expect(out).to.match(/ignored the offset or page parameter/);
    },
  },
  {
    mode: 'shuffle',
    endpoint: 'sales',
    status: (out, repeated) => {
      const named = [...out.matchAll(/Repeated id {2}(\S+) in (page-\d+) and (page-\d+)/g)];
      expect(named.length).to.be.greaterThan(0);
      for (const [, id] of named) expect(repeated).to.include(id);
      expect(out).to.match(/order is not stable between requests/);
    },
  },
  {
    mode: 'repeat-boundary',
    endpoint: 'sales',
    status: (out) => {
      expect(out).to.include('1 missing, 1 repeated');
      expect(out).to.include('Repeated id  h_0000100 in page-000001 and page-000002');
      expect(out).to.match(/page boundaries/);
    },
  },
  {
    mode: 'repeat-boundary',
    endpoint: 'capped',
    status: (out) => {
      expect(out).to.include('Pages        page-s000001-000002,');
      expect(out).to.include('in page-s000001-000001 and page-s000001-000002');
    },
  },
  {
    mode: 'insert-mid-run',
    endpoint: 'sales',
    // The insertion happens at the API's second page request after page 1: one worker
    // slot fetches pages in order, so the shifted records are the first of page 4.
    args: ['--concurrency', '1'],
    status: (out, repeated) => {
      expect(repeated).to.have.length(3);
      for (const id of repeated) expect(out).to.include(`Repeated id  ${id} in page-000003 and page-000004`);
      expect(out).to.include('3 missing, 3 repeated');
    },
  },
  {
    // A cursor slice plan: the walk itself sees the repeat, so the slice is dead-lettered.
    mode: 'repeat-boundary',
    endpoint: 'after',
    status: (out) => {
      expect(out).to.match(/Expected +\d+ slices/);
      expect(out).to.match(/Dead-letter {2}[1-9]\d* {2}\(/);
    },
  },
  {
    mode: 'total-drift',
    endpoint: 'sales',
    status: (out) => {
      expect(out).to.match(/Landed {7}0\n/);
      expect(out).to.match(/Dead-letter {2}\d+ {2}\(1-\d+\)/);
    },
  },
];

const local = (args: string[], api: HostileApi) =>
  runCli(APPS.local, args, cleanEnv({ API_BASE_URL: api.url, LOG_LEVEL: 'error' }), 60_000);

describe('a hostile API never gets a run sealed with a record missing or repeated', function () {
  this.timeout(90_000);
  let api: HostileApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  for (const c of cases) {
    it(`${c.mode} (${c.endpoint}): exit 1, nothing sealed, status names pages and ids; --repair then lands each record once`, async () => {
      api = await createHostileApi({ records: 500, stepMs: 300_000, mode: c.mode, insertAfter: 2 });
      const { dir, cleanup } = tempDir();
      try {
        const common = ['--config-dir', CONFIG_DIR, '--sink', dir];
        const run = await local(
          [
            '--service',
            'hostile',
            '--endpoint',
            c.endpoint,
            '--start_date',
            START,
            '--end_date',
            END,
            '--max_attempts',
            '2',
            ...(c.args ?? []),
            ...common,
          ],
          api,
        );
        expect(run.code, run.stderr.slice(-2000)).to.equal(1);
        expect(filesIn(dir).filter((f) => f.endsWith('_SUCCESS'))).to.deep.equal([]);
        expect(existsSync(join(dir, `_rdc/state/hostile/${c.endpoint}/watermark.json`))).to.equal(false);

        const status = await local(['status', RUN(c.endpoint), ...common], api);
        expect(status.code).to.equal(1);
        c.status(status.stdout, repeatedIds(idsInFolder(dir)));

        api.mode = 'healthy';
        const repaired = await local(['--repair', RUN(c.endpoint), ...common], api);
        expect(repaired.code, repaired.stderr.slice(-2000)).to.equal(0);
        const table = join(dir, 'hostile', c.endpoint);
        expect(idsInFolder(table)).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)));
        expect(filesIn(dir).filter((f) => f.endsWith('_SUCCESS'))).to.have.length(1);
        expect(filesIn(dir).some((f) => f.startsWith('_rdc/retired/'))).to.equal(true);
        const after = await local(['status', RUN(c.endpoint), ...common], api);
        expect(after.code).to.equal(0);
        expect(after.stdout).to.include('complete (_SUCCESS written)');
      } finally {
        cleanup();
      }
    });
  }

  it('a window overlapping a planned run exits 2 naming it; --allow-overlap lands the overlap twice', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000 });
    const { dir, cleanup } = tempDir();
    try {
      const common = ['--service', 'hostile', '--endpoint', 'sales', '--config-dir', CONFIG_DIR, '--sink', dir];
      const first = await local(['--start-date', START, '--end-date', '2024-01-02', ...common], api);
      expect(first.code, first.stderr.slice(-2000)).to.equal(0);
      const overlapping = ['--start-date', '2024-01-01T12:00:00Z', '--end-date', END, ...common];
      const refused = await local(overlapping, api);
      expect(refused.code).to.equal(2);
      expect(refused.stderr)
        .to.include('hostile.sales.20240101T000000Z-20240102T000000Z')
        .and.include('--allow-overlap');
      const forced = await local([...overlapping, '--allow-overlap'], api);
      expect(forced.code, forced.stderr.slice(-2000)).to.equal(0);
      const landed = idsInFolder(join(dir, 'hostile', 'sales'));
      const twice = api.idsInWindow(new Date('2024-01-01T12:00:00Z'), new Date('2024-01-02T00:00:00Z'));
      expect(landed).to.have.length(api.idsInWindow(new Date(START), new Date(END)).length + twice.length);
      expect(repeatedIds(landed).sort()).to.deep.equal([...twice].sort());
    } finally {
      cleanup();
    }
  });
});
