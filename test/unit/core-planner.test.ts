import { expect } from 'chai';
import { ConfigError, loadServices, silentLog, TransientError, type PageTask } from '@rdc/contracts';
import { finalizeRun, planRun, runStatus } from '@rdc/core';
import { type PlanRequest } from '@rdc/core/plan/plan-run.js';
import { RunInProgressError } from '@rdc/core/state/incremental-start.js';
import { readWatermark } from '@rdc/core/state/watermark.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const now = new Date('2024-07-02T10:30:00Z');
const base: PlanRequest = {
  service: 'shop',
  endpoint: 'orders',
  start: new Date('2024-07-01T00:00:00Z'),
  end: new Date('2024-07-02T00:00:00Z'),
  now,
  endGranularityMs: 3_600_000,
};

function setup(records = makeRecords(95)) {
  const catalog = loadServices(fixtureConfigDir);
  const source = new FakeSource(records);
  const sink = new MemorySink();
  return { catalog, source, sink };
}

describe('planner', () => {
  it('counts the window, writes the manifest and publishes one task per page', async () => {
    const { catalog, source, sink } = setup();
    const publisher = new RecordingPublisher();
    const result = await planRun(base, { catalog, source, sink, publisher, log: silentLog });
    expect(result.manifest).to.include({ total: 95, pages: 10, pageSize: 10 });
    expect(result.origin).to.equal('new');
    expect(publisher.tasks.map((t) => (t as PageTask).page)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(publisher.tasks.every((t) => t.window.end === '2024-07-02T00:00:00.000Z')).to.equal(true);
    expect(publisher.flushed).to.equal(1);
    expect([...sink.objects.keys()].some((k) => k.endsWith('/manifest.json'))).to.equal(true);
  });

  it('plans zero pages for an empty window and still records the run', async () => {
    const { catalog, source, sink } = setup([]);
    const publisher = new RecordingPublisher();
    const result = await planRun(base, { catalog, source, sink, publisher, log: silentLog });
    expect(result.manifest.pages).to.equal(0);
    expect(publisher.tasks).to.have.length(0);
    const status = await finalizeRun(sink, result.manifest);
    expect(status.complete).to.equal(true);
  });

  it('a dry run counts but writes and publishes nothing', async () => {
    const { catalog, source, sink } = setup();
    const publisher = new RecordingPublisher();
    const result = await planRun({ ...base, dryRun: true }, { catalog, source, sink, publisher, log: silentLog });
    expect(result.manifest.pages).to.equal(10);
    expect(publisher.tasks).to.have.length(0);
    expect(sink.objects.size).to.equal(0);
  });

  it('after a crash halfway through publishing, a re-run publishes what is missing and every page lands once', async () => {
    const { catalog, source, sink } = setup();
    const crashing = new RecordingPublisher(4);
    const crash = await planRun(base, { catalog, source, sink, publisher: crashing, log: silentLog }).catch(
      (e: unknown) => e,
    );
    expect(crash).to.be.instanceOf(Error);
    // Two of the published pages were worked before the crash.
    const deps = { catalog, sourceFor: () => source, sink, log: silentLog };
    for (const t of crashing.tasks.slice(0, 2)) await handlePageTask(t as PageTask, deps);

    const retry = new RecordingPublisher();
    const again = await planRun(
      { ...base, now: new Date('2024-07-02T10:55:00Z') },
      { catalog, source, sink, publisher: retry, log: silentLog },
    );
    expect(again.origin).to.equal('existing');
    expect(retry.tasks.map((t) => (t as PageTask).page)).to.deep.equal([3, 4, 5, 6, 7, 8, 9, 10]);
    for (const t of [...crashing.tasks, ...retry.tasks]) await handlePageTask(t as PageTask, deps);

    const status = await runStatus(sink, again.manifest);
    expect(status.complete).to.equal(true);
    const pageObjects = [...sink.objects.keys()].filter((k) => k.endsWith('.ndjson'));
    expect(pageObjects).to.have.length(10);
    const ids = [...sink.objects.entries()]
      .filter(([k]) => k.endsWith('.ndjson'))
      .flatMap(([, o]) => o.body.toString('utf8').trimEnd().split('\n'))
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).to.equal(95);
    expect(ids).to.have.length(95);
  });

  it('without --start_date and no watermark, says to pass --start_date', async () => {
    const { catalog, source, sink } = setup();
    const { start: _start, ...noStart } = base;
    const error = await planRun(noStart, {
      catalog,
      source,
      sink,
      publisher: new RecordingPublisher(),
      log: silentLog,
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.include('--start_date');
  });

  it('continues from the watermark once a run completed, leaving no gap and no overlap', async () => {
    const records = makeRecords(48 * 60, Date.UTC(2024, 6, 1), 60_000);
    const { catalog, source, sink } = setup(records);
    const deps = { catalog, sourceFor: () => source, sink, log: silentLog };
    const first = new RecordingPublisher();
    const run1 = await planRun(base, { catalog, source, sink, publisher: first, log: silentLog });
    for (const t of first.tasks) await handlePageTask(t as PageTask, deps);
    await finalizeRun(sink, run1.manifest);
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-02T00:00:00.000Z');

    const { start: _s, end: _e, ...incremental } = base;
    const second = new RecordingPublisher();
    const run2 = await planRun(
      { ...incremental, now: new Date('2024-07-02T12:10:00Z') },
      { catalog, source, sink, publisher: second, log: silentLog },
    );
    expect(run2.manifest.window).to.deep.equal({ start: '2024-07-02T00:00:00.000Z', end: '2024-07-02T12:00:00.000Z' });
    expect(run1.manifest.total + run2.manifest.total).to.equal(36 * 60);
  });
});

describe('planner: incremental runs and an incomplete latest run', () => {
  const records = makeRecords(48 * 60, Date.UTC(2024, 6, 1), 60_000);
  const { start: _s, end: _e, ...incremental } = base;
  const later = { ...incremental, now: new Date('2024-07-02T12:10:00Z') };

  /** Plans day one with an explicit start and lands only the first `land` pages of it. */
  async function dayOnePartly(land: number) {
    const { catalog, source, sink } = setup(records);
    const deps = { catalog, sourceFor: () => source, sink, log: silentLog };
    const first = new RecordingPublisher();
    const run1 = await planRun(base, { catalog, source, sink, publisher: first, log: silentLog });
    for (const t of first.tasks.slice(0, land)) await handlePageTask(t as PageTask, deps);
    return { catalog, source, sink, deps, run1, first };
  }

  it('refuses to plan a window that would overlap it, saying how to check and resume it', async () => {
    const { catalog, source, sink, run1 } = await dayOnePartly(100);
    const objects = sink.objects.size;
    const publisher = new RecordingPublisher();
    const error = await planRun(later, { catalog, source, sink, publisher, log: silentLog }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RunInProgressError).and.instanceOf(TransientError);
    const message = (error as Error).message;
    expect(message).to.include(run1.manifest.runId).and.include('100/144 pages landed').and.include('44 missing');
    expect(message)
      .to.include(`npm run status -- ${run1.manifest.runId}`)
      .and.include(`--resume ${run1.manifest.runId}`);
    expect(publisher.tasks).to.have.length(0);
    expect(sink.objects.size).to.equal(objects);
  });

  it('with the resume policy, works the incomplete run instead (the local runner)', async () => {
    const { catalog, source, sink, run1 } = await dayOnePartly(100);
    const publisher = new RecordingPublisher();
    const result = await planRun(
      { ...later, ifLatestIncomplete: 'resume' },
      { catalog, source, sink, publisher, log: silentLog },
    );
    expect(result).to.include({ origin: 'existing', resumedLatest: true });
    expect(result.manifest.runId).to.equal(run1.manifest.runId);
    expect(publisher.tasks.map((t) => (t as PageTask).page)).to.deep.equal(
      Array.from({ length: 44 }, (_, i) => 101 + i),
    );
  });

  it('finalizes a latest run whose pages all landed, then continues from its end', async () => {
    const { catalog, source, sink } = await dayOnePartly(Infinity);
    expect(await readWatermark(sink, 'shop', 'orders')).to.equal(undefined);
    const publisher = new RecordingPublisher();
    const run2 = await planRun(later, { catalog, source, sink, publisher, log: silentLog });
    expect(run2.manifest.window).to.deep.equal({ start: '2024-07-02T00:00:00.000Z', end: '2024-07-02T12:00:00.000Z' });
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-02T00:00:00.000Z');
    expect([...sink.objects.keys()].filter((k) => k.endsWith('/_SUCCESS'))).to.have.length(1);
  });

  it('is not blocked by an incomplete run that ends before the watermark, nor by its own window', async () => {
    const { catalog, source, sink, run1 } = await dayOnePartly(Infinity);
    await finalizeRun(sink, run1.manifest);
    // An older backfill, left incomplete, becomes the latest planned run.
    const backfill = new RecordingPublisher();
    await planRun(
      { ...base, start: new Date('2024-06-30T00:00:00Z'), end: new Date('2024-07-01T00:00:00Z') },
      { catalog, source, sink, publisher: backfill, log: silentLog },
    );
    const next = await planRun(later, { catalog, source, sink, publisher: new RecordingPublisher(), log: silentLog });
    expect(next.manifest.window.start).to.equal('2024-07-02T00:00:00.000Z');

    // A retried execution of the same incremental run carries on with it.
    const retry = new RecordingPublisher();
    const again = await planRun(
      { ...later, now: new Date('2024-07-02T12:40:00Z') },
      { catalog, source, sink, publisher: retry, log: silentLog },
    );
    expect(again).to.include({ origin: 'existing', resumedLatest: false });
    expect(again.manifest.runId).to.equal(next.manifest.runId);
    expect(retry.tasks).to.have.length(next.manifest.pages);
  });

  it('--resume of a window without a manifest writes nothing', async () => {
    const { catalog, source, sink } = setup(records);
    const error = await planRun(
      { ...base, resumeOnly: true },
      { catalog, source, sink, publisher: new RecordingPublisher(), log: silentLog },
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message).to.include('nothing to resume');
    expect(sink.objects.size).to.equal(0);
    expect(source.counts).to.equal(0);
  });
});
