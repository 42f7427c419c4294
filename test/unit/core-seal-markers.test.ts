import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { PermanentError } from '@rdc/contracts';
import { finalizeRun, dataKey, makeRunId, pageStem } from '@rdc/core';
import { pageRecordKey, partitionFolder, sliceMarkerKey, slicePageStem, successKey } from '@rdc/core/bucket-layout.js';
import { BLOCK_FANOUT, markerKey } from '@rdc/core/state/block-plan.js';
import { allUnitsLanded } from '@rdc/core/state/block-seal.js';
import { runIdentity, type RunManifest } from '@rdc/core/state/manifest.js';
import { summarizeIds } from '@rdc/core/state/page-summary.js';
import { toNdjson } from '@rdc/core/task/write-page.js';
import { MemorySink } from '../support/fakes.js';

const window = { start: '2024-07-01T00:00:00.000Z', end: '2024-07-02T00:00:00.000Z' };
const DT = '2024-07-01';

function manifestOf(pages: number, perPage: number): RunManifest {
  const runId = makeRunId('shop', 'orders', { start: new Date(window.start), end: new Date(window.end) });
  return {
    v: 1,
    runId,
    service: 'shop',
    endpoint: 'orders',
    window,
    pageSize: perPage,
    total: pages * perPage,
    pages,
    plannedAt: window.start,
    sink: 'mem://test',
  };
}

/** Counts reads by kind of object: what sealing costs. */
class CountingSink extends MemorySink {
  reads = { pages: 0, data: 0, markers: 0 };
  override get(key: string) {
    if (/\/pages\/page-(s\d+-)?\d+\.json$|\/slices\/slice-\d+\.json$/.test(key)) this.reads.pages++;
    else if (/\.ndjson(\.gz)?$/.test(key)) this.reads.data++;
    else if (/\/blocks\/L\d+\//.test(key)) this.reads.markers++;
    return super.get(key);
  }
  resetReads() {
    this.reads = { pages: 0, data: 0, markers: 0 };
  }
}

const id = (n: number): string => `rec_${String(n).padStart(7, '0')}`;

/** Lands page `page` holding `ids` as the worker would: its part, then its page record (with drift, if any). */
function landPage(
  sink: MemorySink,
  manifest: RunManifest,
  page: number,
  ids: string[],
  drift?: object,
  stem = pageStem(page),
) {
  const run = runIdentity(manifest);
  const key = dataKey(run, DT, stem);
  sink.objects.set(key, { body: toNdjson(ids.map((i) => ({ id: i }))), options: {} });
  const record = {
    v: 1,
    runId: run.runId,
    page: stem,
    ...summarizeIds(ids),
    parts: [{ dt: DT, key, records: ids.length }],
    metadata: {},
    ...(drift ? { drift } : {}),
    landedAt: '2024-07-02T00:00:00.000Z',
  };
  sink.objects.set(pageRecordKey(run, stem), { body: Buffer.from(JSON.stringify(record)), options: {} });
}

const namesOnly = () => Promise.resolve(Buffer.from('{}\n'));

/**
 * Lands pages 1..pages in order (ids from `idsOf`), running the completion step
 * after the last page of each block (the landings that can complete one).
 */
async function landRun(
  sink: MemorySink,
  manifest: RunManifest,
  idsOf: (page: number) => string[],
  options: { drift?: (page: number) => object | undefined; legacy?: boolean } = {},
): Promise<boolean> {
  const run = runIdentity(manifest);
  let sealed = false;
  for (let p = 1; p <= manifest.pages; p++) {
    landPage(sink, manifest, p, idsOf(p), options.drift?.(p));
    if (p % BLOCK_FANOUT === BLOCK_FANOUT - 1 || p === manifest.pages) {
      const key = pageRecordKey(run, pageStem(p));
      sealed = await allUnitsLanded(sink, manifest, key, ...(options.legacy ? [namesOnly] : []));
    }
  }
  return sealed;
}

const ascending = (perPage: number) => (p: number) =>
  Array.from({ length: perPage }, (_, i) => id((p - 1) * perPage + i + 1));

const loyalty = (p: number) => (p === 5 || p === 260 ? { loyalty_points: { records: 2, type: 'integer' } } : undefined);

describe('sealing from block markers', () => {
  it('a healthy run seals from its markers alone: no page or data object read again, drift as the pages counted', async () => {
    const manifest = manifestOf(350, 2);
    const sink = new CountingSink();
    expect(await landRun(sink, manifest, ascending(2), { drift: loyalty })).to.equal(true);
    sink.resetReads();
    const status = await finalizeRun(sink, manifest);
    expect(status).to.include({ complete: true, succeeded: true, sealedNow: true });
    expect(sink.reads).to.deep.equal({ pages: 0, data: 0, markers: 4 });
    const sealed = JSON.parse(sink.objects.get(successKey(runIdentity(manifest)))!.body.toString('utf8')) as unknown;
    expect(sealed).to.deep.include({ records: 700, drift: { loyalty_points: { records: 4, type: 'integer' } } });
  });

  it('a run of two marker levels reads only the top level', async function () {
    this.timeout(30_000);
    const manifest = manifestOf(10_150, 1);
    const sink = new CountingSink();
    expect(await landRun(sink, manifest, ascending(1))).to.equal(true);
    sink.resetReads();
    expect(await finalizeRun(sink, manifest)).to.include({ complete: true, succeeded: true });
    expect(sink.reads).to.deep.equal({ pages: 0, data: 0, markers: 2 });
  });

  it('an id repeated across two blocks, each of whose pages holds distinct ids, is never sealed', async () => {
    const manifest = manifestOf(350, 2);
    const sink = new MemorySink();
    // Page 100 opens block 1 with page 99's ids (the last of block 0): the count adds up.
    const idsOf = (p: number) => ascending(2)(p === 100 ? 99 : p);
    await landRun(sink, manifest, idsOf);
    const status = await finalizeRun(sink, manifest);
    expect(status).to.include({ complete: false, succeeded: false });
    expect(status.integrity).to.include({ ok: false, method: 'ids', duplicates: 2, missing: 2 });
    expect(status.integrity?.pages).to.deep.equal(['page-000100']);
    expect(sink.objects.has(successKey(runIdentity(manifest)))).to.equal(false);
  });

  it('a data object no page names, put after its block was marked, is never sealed', async () => {
    const manifest = manifestOf(150, 2);
    const sink = new MemorySink();
    await landRun(sink, manifest, ascending(2));
    const run = runIdentity(manifest);
    const other = dataKey(run, DT, pageStem(7), true);
    sink.objects.set(other, { body: gzipSync(toNdjson(ascending(2)(7).map((i) => ({ id: i })))), options: {} });
    const status = await finalizeRun(sink, manifest);
    expect(status.integrity).to.include({ ok: false, cause: 'stray-objects' });
    expect(status.integrity?.strays).to.deep.equal([other]);
  });

  it('a stray object beside a named object gone from the same dt= folder is never sealed, though the counts agree', async () => {
    const manifest = manifestOf(150, 2);
    const sink = new MemorySink();
    await landRun(sink, manifest, ascending(2));
    const run = runIdentity(manifest);
    const gone = [...sink.objects.keys()].find(
      (key) => key.startsWith(partitionFolder(run, DT)) && key.includes(pageStem(8)),
    );
    expect(gone, 'page 8 landed a data object').to.be.a('string');
    sink.objects.delete(gone!);
    const other = dataKey(run, DT, pageStem(7), true);
    sink.objects.set(other, { body: gzipSync(toNdjson(ascending(2)(7).map((i) => ({ id: i })))), options: {} });
    const status = await finalizeRun(sink, manifest);
    expect(status).to.include({ complete: false, succeeded: false });
    expect(status.integrity?.ok).to.equal(false);
    expect(sink.objects.has(successKey(runIdentity(manifest)))).to.equal(false);
  });

  it('markers written before they held summaries: the pages are read instead, and a bad run still fails', async () => {
    const manifest = manifestOf(350, 2);
    const good = new CountingSink();
    await landRun(good, manifest, ascending(2), { drift: loyalty, legacy: true });
    good.resetReads();
    const status = await finalizeRun(good, manifest);
    expect(status).to.include({ complete: true, succeeded: true });
    expect({ ...status.drift }).to.deep.equal({ loyalty_points: { records: 4, type: 'integer' } });
    expect(good.reads.pages).to.equal(350);

    const bad = new MemorySink();
    await landRun(bad, manifest, (p) => ascending(2)(p === 100 ? 99 : p), { legacy: true });
    expect((await finalizeRun(bad, manifest)).integrity).to.include({ ok: false, duplicates: 2 });
  });

  it('a marker this version cannot read stops the seal, naming it and what to do', async () => {
    const manifest = manifestOf(150, 2);
    const sink = new MemorySink();
    await landRun(sink, manifest, ascending(2));
    const key = markerKey(manifest, 1, 1);
    sink.objects.set(key, { body: Buffer.from('{"v":2,"pages":"many"}\n'), options: {} });
    const error = await finalizeRun(sink, manifest).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include(`mem://test/${key}`)
      .and.include(`status ${manifest.runId}`);
    expect(sink.objects.has(successKey(runIdentity(manifest)))).to.equal(false);
  });

  it('a run of cursor slices seals from its markers too: no slice marker or page read again', async () => {
    const slices = 150;
    const manifest: RunManifest = { ...manifestOf(slices, 2), plan: 'slices', total: 0 };
    const run = runIdentity(manifest);
    const sink = new CountingSink();
    let sealed = false;
    for (let n = 1; n <= slices; n++) {
      // Two pages of two records a slice, then the slice's marker: its walk's counts.
      for (const p of [1, 2]) landPage(sink, manifest, 0, ascending(2)(2 * n + p - 2), undefined, slicePageStem(n, p));
      const marker = { v: 1, runId: run.runId, slice: n, window, pages: 2, records: 4, completedAt: window.end };
      sink.objects.set(sliceMarkerKey(run, n), { body: Buffer.from(JSON.stringify(marker)), options: {} });
      if (n % BLOCK_FANOUT === BLOCK_FANOUT - 1 || n === slices)
        sealed = await allUnitsLanded(sink, manifest, sliceMarkerKey(run, n));
    }
    expect(sealed).to.equal(true);
    sink.resetReads();
    expect(await finalizeRun(sink, manifest)).to.include({ complete: true, succeeded: true });
    expect(sink.reads).to.deep.equal({ pages: 0, data: 0, markers: 2 });
    const seal = JSON.parse(sink.objects.get(successKey(run))!.body.toString('utf8')) as unknown;
    expect(seal).to.include({ slices, pages: 300, records: 600 });
  });
});
