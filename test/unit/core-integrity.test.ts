import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { finalizeRun, planRun, dataKey, makeRunId, pageStem, parseRunId } from '@rdc/core';
import { pageRecordKey } from '@rdc/core/bucket-layout.js';
import { RunInProgressError } from '@rdc/core/state/incremental-start.js';
import { checkRunIntegrity } from '@rdc/core/state/integrity.js';
import { compareIds, summarizeIds } from '@rdc/core/state/page-summary.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { toNdjson } from '@rdc/core/task/write-page.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const run = parseRunId(
  makeRunId('shop', 'orders', { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') }),
);

/** Lands page `page` (1-based) holding `ids`, as the worker would: its one part, then its page record. */
function landPage(sink: MemorySink, page: number, ids: string[], options: { summary?: boolean; gzip?: boolean } = {}) {
  const stem = pageStem(page);
  const key = dataKey(run, '2024-07-01', stem, options.gzip ?? false);
  sink.objects.set(key, { body: toNdjson(ids.map((id) => ({ id }))), options: {} });
  const record = {
    v: 1,
    runId: run.runId,
    page: stem,
    records: ids.length,
    ...(options.summary === false ? {} : summarizeIds(ids)),
    parts: [{ dt: '2024-07-01', key, records: ids.length }],
    metadata: {},
    landedAt: '2024-07-02T00:00:00.000Z',
  };
  sink.objects.set(pageRecordKey(run, stem), { body: Buffer.from(JSON.stringify(record)), options: {} });
}

/** A sink that counts reads, to show what sealing costs. */
class CountingSink extends MemorySink {
  gets = 0;
  override get(key: string) {
    this.gets++;
    return super.get(key);
  }
}

const id = (n: number): string => `rec_${String(n).padStart(6, '0')}`;
const ids = (from: number, count: number): string[] => Array.from({ length: count }, (_, i) => id(from + i));

describe('run integrity at seal', () => {
  it('orders ids as numbers when they are integers, else by code units', () => {
    expect(compareIds('9', '10')).to.be.below(0);
    expect(compareIds('10', '9')).to.be.above(0);
    expect(compareIds('10', 'a')).to.be.below(0);
    expect(compareIds('rec_2', 'rec_10')).to.be.above(0);
    expect(compareIds('x', 'x')).to.equal(0);
  });

  it('proves a healthy run from its page records alone, ascending or descending', async () => {
    for (const descending of [false, true]) {
      const sink = new CountingSink();
      for (let p = 1; p <= 5; p++) landPage(sink, p, ids(descending ? 50 - p * 10 + 1 : (p - 1) * 10 + 1, 10));
      const report = await checkRunIntegrity(sink, run, 'id', 50);
      expect(report, `descending ${descending}`).to.include({ ok: true, method: 'ranges', records: 50, distinct: 50 });
      expect(sink.gets, 'one read per page record, no page read').to.equal(5);
    }
  });

  it('reads every id when the ranges prove nothing, and passes a healthy unsorted run', async () => {
    const sink = new MemorySink();
    landPage(sink, 1, [id(1), id(9)]);
    landPage(sink, 2, [id(2), id(8)]);
    landPage(sink, 3, [id(3), id(7)], { summary: false }); // a page record from before summaries
    expect(await checkRunIntegrity(sink, run, 'id', 6)).to.include({ ok: true, method: 'ids', distinct: 6 });
  });

  it('fails a run whose pages repeat ids, naming pages, ids, the cause and the remedy', async () => {
    const sink = new MemorySink();
    landPage(sink, 1, ids(1, 10));
    landPage(sink, 2, ids(10, 10)); // the boundary record repeated, the last one dropped
    landPage(sink, 3, ids(20, 10));
    const report = await checkRunIntegrity(sink, run, 'id', 30);
    expect(report).to.include({ ok: false, records: 30, distinct: 29, duplicates: 1, missing: 1, cause: 'shifted' });
    expect(report.pages).to.deep.equal(['page-000002']);
    expect(report.sample).to.deep.equal([{ id: id(10), pages: ['page-000001', 'page-000002'] }]);
    expect(report.remedy).to.include(`--repair ${run.runId}`);
  });

  it('tells an ignored offset from an unstable order', async () => {
    const ignored = new MemorySink();
    for (let p = 1; p <= 4; p++) landPage(ignored, p, ids(1, 10));
    expect(await checkRunIntegrity(ignored, run, 'id', 40)).to.include({ ok: false, cause: 'ignored-offset' });
    const shuffled = new MemorySink();
    landPage(shuffled, 1, [id(1), id(7), id(3), id(9)]);
    landPage(shuffled, 2, [id(2), id(7), id(5), id(1)]);
    expect(await checkRunIntegrity(shuffled, run, 'id', 8)).to.include({ ok: false, cause: 'unstable-order' });
  });

  it('fails a run whose distinct ids fall short of the plan, and one with a page in both encodings', async () => {
    const short = new MemorySink();
    landPage(short, 1, ids(1, 10));
    expect(await checkRunIntegrity(short, run, 'id', 11)).to.include({ ok: false, cause: 'count', missing: 1 });
    const twice = new MemorySink();
    landPage(twice, 1, ids(1, 10));
    landPage(twice, 2, ids(11, 10));
    const other = dataKey(run, '2024-07-01', pageStem(2), true);
    twice.objects.set(other, { body: gzipSync(toNdjson(ids(11, 10).map((i) => ({ id: i })))), options: {} });
    const report = await checkRunIntegrity(twice, run, 'id', 20);
    expect(report).to.include({ ok: false, cause: 'stray-objects', duplicates: 10 });
    expect(report.strays).to.deep.equal([other]);
  });

  it('checks a 100,000-page run exactly: O(pages) reads when ranges prove it, bounded passes when not', async function () {
    this.timeout(60_000);
    const sink = new CountingSink();
    const pages = 100_000;
    for (let p = 1; p <= pages; p++) landPage(sink, p, [id(p)]);
    expect(await checkRunIntegrity(sink, run, 'id', pages)).to.include({ ok: true, method: 'ranges', records: pages });
    expect(sink.gets).to.equal(pages);
    // One page repeats a far-away id: the ranges fail, and two passes of 50,000 ids find it.
    landPage(sink, 77_777, [id(3)]);
    const report = await checkRunIntegrity(sink, run, 'id', pages, 50_000);
    expect(report).to.include({ ok: false, method: 'ids', duplicates: 1, missing: 1 });
    expect(report.sample).to.deep.equal([{ id: id(3), pages: ['page-000003', 'page-077777'] }]);
  });
});

describe('one object per page whatever the writers gzip setting', () => {
  it('two writers with different --gzip racing on every page land each page once, in one encoding', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const source = new FakeSource(makeRecords(95));
    const sink = new MemorySink();
    const task = (page: number): PageTask => ({
      v: 1,
      kind: 'page',
      runId: run.runId,
      service: 'shop',
      endpoint: 'orders',
      window: { start: run.window.start.toISOString(), end: run.window.end.toISOString() },
      pageSize: 10,
      page,
      pages: 10,
      total: 95,
    });
    const deps = (gzip: boolean) => ({ catalog, sourceFor: () => source, sink, log: silentLog, gzip });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        handlePageTask(task(i + 1), deps(true)),
        handlePageTask(task(i + 1), deps(false)),
      ]).flat(),
    );
    const data = [...sink.objects.keys()].filter((k) => /\/page-\d+\.ndjson(\.gz)?$/.test(k));
    expect(data).to.have.length(10);
    expect(new Set(data.map((k) => k.endsWith('.gz'))).size, 'one encoding for the run').to.equal(1);
    expect(await checkRunIntegrity(sink, run, 'id', 95)).to.include({ ok: true, distinct: 95 });
  });
});

describe('an unsealed run and the next incremental plan', () => {
  it('a run whose records do not add up is not sealed, and blocks the next window with how to repair it', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const all = makeRecords(95);
    const source = new FakeSource(all);
    // Page 2 repeats the last record of page 1 and drops its own last one.
    source.transform = (records, request) => (request.page === 2 ? [all[9]!, ...records.slice(0, -1)] : records);
    const sink = new MemorySink();
    const publisher = new RecordingPublisher();
    const deps = { catalog, source, sink, publisher, log: silentLog };
    const plan = await planRun(
      {
        service: 'shop',
        endpoint: 'orders',
        start: run.window.start,
        end: run.window.end,
        now: new Date('2024-07-03T00:00:00Z'),
        endGranularityMs: 3_600_000,
      },
      deps,
    );
    for (const t of publisher.tasks) await handlePageTask(t as PageTask, { ...deps, sourceFor: () => source });
    const status = await finalizeRun(sink, plan.manifest);
    expect(status).to.include({ complete: false, succeeded: false, landedPages: 10 });
    expect(status.integrity).to.include({ ok: false, cause: 'shifted', duplicates: 1, missing: 1 });
    expect(
      [...sink.objects.keys()].filter((k) => k.endsWith('_SUCCESS') || k.endsWith('watermark.json')),
    ).to.deep.equal([]);
    const error = await planRun(
      { service: 'shop', endpoint: 'orders', now: new Date('2024-07-03T00:00:00Z'), endGranularityMs: 3_600_000 },
      deps,
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RunInProgressError);
    expect((error as Error).message)
      .to.include('do not add up')
      .and.include(`--repair ${run.runId}`);
  });
});
