import { expect } from 'chai';
import { ConfigError, loadServices, PermanentError, silentLog, type PageTask } from '@rdc/contracts';
import { makeRunId, planRun, readManifest } from '@rdc/core';
import { manifestKey } from '@rdc/core/bucket-layout.js';
import { type PlanRequest } from '@rdc/core/plan/plan-run.js';
import { latestRunKey } from '@rdc/core/state/incremental-start.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const now = new Date('2024-07-02T10:30:00Z');
const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
const base: PlanRequest = {
  service: 'shop',
  endpoint: 'orders',
  ...window,
  now,
  endGranularityMs: 3_600_000,
};

function setup(maxPagesPerRun?: number) {
  const catalog = loadServices(fixtureConfigDir);
  const shop = catalog.services.get('shop');
  if (shop && maxPagesPerRun !== undefined) shop.limits.maxPagesPerRun = maxPagesPerRun;
  const source = new FakeSource(makeRecords(95));
  const sink = new MemorySink();
  const publisher = new RecordingPublisher();
  return { deps: { catalog, source, sink, publisher, log: silentLog }, source, sink, publisher };
}

describe('planner: limits.maxPagesPerRun', () => {
  it('refuses a huge total before writing anything, giving the total, the pages and how to split', async () => {
    const { deps, source, sink, publisher } = setup();
    source.count = () => Promise.resolve({ total: 1e15, pages: 4e12 });
    const started = Date.now();
    const error = (await planRun(base, deps).catch((e: unknown) => e)) as ConfigError;
    expect(Date.now() - started).to.be.below(1_000);
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.include('1000000000000000 records');
    expect(error.message).to.include('100000000000000 pages of 10');
    expect(error.message).to.include('limits.maxPagesPerRun (100000)');
    expect(error.message).to.include('--start_date 2024-07-01T00:00:00.000Z --end_date 2024-07-01T00:00:01.000Z');
    expect(sink.objects.size).to.equal(0);
    expect(publisher.tasks).to.have.length(0);
  });

  it('plans exactly maxPagesPerRun pages, and refuses one more with a window that fits', async () => {
    const ok = setup(10);
    const result = await planRun(base, ok.deps);
    expect(result.published).to.equal(10);
    expect(ok.publisher.tasks.map((t) => (t as PageTask).page)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const refused = setup(4);
    const error = (await planRun(base, refused.deps).catch((e: unknown) => e)) as ConfigError;
    expect(error).to.be.instanceOf(ConfigError);
    expect(error.message).to.include(
      '95 records in [2024-07-01T00:00:00.000Z, 2024-07-02T00:00:00.000Z) make 10 pages',
    );
    // 4 of 10 pages' worth of a day: about 9 hours per run.
    expect(error.message).to.include('runs of about 9h or less');
    expect(refused.sink.objects.size).to.equal(0);
  });
});

describe('a huge or corrupt manifest', () => {
  const runId = makeRunId('shop', 'orders', window);
  const run = { runId, service: 'shop', endpoint: 'orders', window };
  const manifest = {
    v: 1,
    runId,
    service: 'shop',
    endpoint: 'orders',
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    pageSize: 250,
    total: 1e15,
    pages: 4e12,
    plannedAt: now.toISOString(),
    sink: 'mem://test',
  };

  it('is refused as corrupt at once, naming the file and the remedy, instead of being listed page by page', async () => {
    const sink = new MemorySink();
    await sink.put(manifestKey(run), Buffer.from(JSON.stringify(manifest)));
    const started = Date.now();
    const error = (await readManifest(sink, run).catch((e: unknown) => e)) as PermanentError;
    expect(Date.now() - started).to.be.below(1_000);
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include(manifestKey(run));
    expect(error.message).to.include('pages');
    expect(error.message).to.include(`Remove it to re-plan run ${runId}`);
  });

  it('as the latest run, stops an incremental run with that message, not a crash', async () => {
    const { deps, sink } = setup();
    await sink.put(manifestKey(run), Buffer.from(JSON.stringify(manifest)));
    await sink.put(latestRunKey('shop', 'orders'), Buffer.from(JSON.stringify({ runId })));
    const { start: _start, ...incremental } = base;
    const error = (await planRun(incremental, deps).catch((e: unknown) => e)) as PermanentError;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include(`Remove it to re-plan run ${runId}`);
  });
});
