import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/pagination');
const START = '2024-07-01';
const END = '2024-10-01T00:00:00Z';

interface Summary {
  runId: string;
  complete: boolean;
  plan: 'pages' | 'slices';
  pages: number;
  slices?: number;
  landedSlices?: number;
  records: number;
  window: { start: string; end: string };
}

interface Case {
  /** Service in test/fixtures/pagination (one per style). */
  service: string;
  what: string;
  mock: Partial<MockApiOptions>;
  args?: string[];
  start?: string;
  /** Instant the start means, when it is not midnight UTC of START. */
  startAt?: Date;
  plan: 'pages' | 'slices';
}

const CASES: Case[] = [
  { service: 'pg_offset', what: 'offset/limit with the total in the body', mock: {}, plan: 'pages' },
  {
    service: 'pg_page0',
    what: '0-based page numbers with X-Total-Count',
    mock: { pagination: 'page', firstPage: 0, totalIn: 'x-total-count' },
    plan: 'pages',
  },
  {
    service: 'pg_wp_total',
    what: '1-based page numbers with X-WP-Total',
    mock: { pagination: 'page', totalIn: 'wp' },
    plan: 'pages',
  },
  {
    service: 'pg_wp_pages',
    what: '1-based page numbers with only X-WP-TotalPages',
    mock: { pagination: 'page', totalIn: 'wp' },
    plan: 'pages',
  },
  {
    service: 'pg_bare',
    what: 'a bare JSON array body',
    mock: { pagination: 'page', totalIn: 'x-total-count', bareArray: true },
    plan: 'pages',
  },
  { service: 'pg_rows', what: 'records at results.rows', mock: { recordsPath: 'results.rows' }, plan: 'pages' },
  {
    service: 'pg_link',
    what: 'a Link header next link, 1d slices, a window given with a UTC offset',
    mock: { pagination: 'link-header' },
    args: ['--slice', '1d'],
    start: '2024-07-01T12:00+02:00',
    startAt: new Date('2024-07-01T10:00:00Z'),
    plan: 'slices',
  },
  {
    service: 'pg_cursor',
    what: 'a next cursor in the body, slices sized by the probed density',
    mock: { pagination: 'body-cursor' },
    plan: 'slices',
  },
  {
    service: 'pg_cursor',
    what: 'a next cursor in the body, under injected 5xx, resets and truncated JSON',
    mock: { pagination: 'body-cursor', errorRate: 0.05, resetRate: 0.02, garbageRate: 0.02, faultSeed: 7 },
    plan: 'slices',
  },
  {
    service: 'pg_after',
    what: 'starting_after=<last id> with has_more, default 1d slices',
    mock: { pagination: 'starting-after' },
    plan: 'slices',
  },
];

function manifestOf(dir: string): Record<string, unknown> {
  const file = filesIn(dir).find((f) => f.endsWith('/manifest.json'));
  expect(file, 'a manifest').to.be.a('string');
  return JSON.parse(readFileSync(join(dir, file!), 'utf8')) as Record<string, unknown>;
}

async function runStyle(api: MockApi, dir: string, c: Case): Promise<Summary> {
  const args = [
    '--service',
    c.service,
    '--endpoint',
    'sales',
    '--start_date',
    c.start ?? START,
    '--end_date',
    END,
    '--config-dir',
    CONFIG_DIR,
    '--sink',
    dir,
    '--json',
    ...(c.args ?? []),
  ];
  const result = await runCli(APPS.local, args, cleanEnv({ API_BASE_URL: api.url }), 60_000);
  expect(result.code, result.stderr.slice(-3000)).to.equal(0);
  return JSON.parse(result.stdout) as Summary;
}

describe('every pagination style, end to end through the local CLI', function () {
  this.timeout(60_000);

  for (const c of CASES) {
    it(`${c.service}: ${c.what}: lands exactly the window's ids`, async () => {
      const api = await createMockApi(c.mock);
      const { dir, cleanup } = tempDir();
      try {
        const summary = await runStyle(api, dir, c);
        if (c.mock.errorRate) {
          const { error, reset, garbage } = api.stats.faults;
          expect(error + reset + garbage, 'faults were injected').to.be.greaterThan(0);
        }
        const expected = api.idsInWindow('sales', c.startAt ?? new Date(`${START}T00:00:00Z`), new Date(END));
        expect(expected.length).to.be.greaterThan(1000);
        const landed = idsInFolder(dir);
        expect(new Set(landed).size, 'no duplicates').to.equal(landed.length);
        expect(landed).to.deep.equal(expected);
        expect(summary.complete).to.equal(true);
        expect(summary.plan).to.equal(c.plan);
        expect(summary.records).to.equal(expected.length);
        const files = filesIn(dir);
        expect(files.filter((f) => f.endsWith('/_SUCCESS'))).to.have.length(1);
        expect(files.filter((f) => f.startsWith('_rdc/deadletter/'))).to.deep.equal([]);
        const manifest = manifestOf(dir);
        if (c.plan === 'slices') {
          expect(manifest.plan).to.equal('slices');
          expect(summary.landedSlices).to.equal(summary.slices).and.to.equal(manifest.sliceCount);
          expect(files.filter((f) => /\/slices\/slice-\d{6}\.json$/.test(f))).to.have.length(summary.slices!);
          expect(files.filter((f) => /\/pages\/page-s\d{6}-\d{6}\.json$/.test(f))).to.have.length(summary.pages);
        } else {
          expect(summary.pages).to.equal(Math.ceil(expected.length / 100));
          expect(files.filter((f) => /\/pages\/page-\d{6}\.json$/.test(f))).to.have.length(summary.pages);
        }
      } finally {
        cleanup();
        await api.close();
      }
    });
  }

  it('pg_capped: a window deeper than maxOffset is split into time slices, and no row is lost', async () => {
    const api = await createMockApi({ maxOffset: 1000 });
    const { dir, cleanup } = tempDir();
    try {
      const summary = await runStyle(api, dir, { service: 'pg_capped', what: '', mock: {}, plan: 'pages' });
      const expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(END));
      // 100 per page and offsets up to 1000 reach 11 pages; the window holds far more.
      expect(Math.ceil(expected.length / 100)).to.be.greaterThan(11);
      const landed = idsInFolder(dir);
      expect(new Set(landed).size).to.equal(landed.length);
      expect(landed).to.deep.equal(expected);
      expect(summary.complete).to.equal(true);
      const manifest = manifestOf(dir) as { slices: { start: string; end: string; pages: number }[]; pages: number };
      expect(manifest.slices.length).to.be.greaterThan(1);
      expect(manifest.slices.every((s) => s.pages <= 11)).to.equal(true);
      expect(manifest.slices[0]!.start).to.equal(`${START}T00:00:00.000Z`);
      expect(manifest.slices.at(-1)!.end).to.equal('2024-10-01T00:00:00.000Z');
      manifest.slices.slice(1).forEach((s, i) => expect(s.start).to.equal(manifest.slices[i]!.end));
      const pageFiles = filesIn(dir).filter((f) => /\/pages\/page-s\d{6}-\d{6}\.json$/.test(f));
      expect(pageFiles).to.have.length(manifest.pages);
      // No request went deeper than the cap: the API would have answered 400.
      expect(api.stats.byStatus[400] ?? 0).to.equal(0);
    } finally {
      cleanup();
      await api.close();
    }
  });
});
