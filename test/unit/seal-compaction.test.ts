import { expect } from 'chai';
import { encodeTask, loadServices, ParquetConfig, silentLog, type CompactTask, type Task } from '@rdc/contracts';
import { createTaskProcessor, finalizeRun, handleTask, planRun, successKey } from '@rdc/core';
import { planFromArgs, type PlanArgs } from '@rdc/runtime';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const START = new Date('2024-07-01T00:00:00Z');
const END = new Date('2024-07-03T00:00:00Z');
const DATES = ['2024-07-01', '2024-07-02'];

/** The fixture catalog with the orders endpoint compacted into Parquet (`"parquet": {}`). */
function compactedCatalog() {
  const catalog = loadServices(fixtureConfigDir);
  Object.assign(catalog.services.get('shop')!.endpoints.orders!, { parquet: ParquetConfig.parse({}) });
  return catalog;
}

/** A run whose every page landed, by workers that died before their seal step. */
async function landedUnsealed() {
  const catalog = compactedCatalog();
  const source = new FakeSource(makeRecords(60, START.getTime(), 45 * 60_000));
  const sink = new MemorySink();
  const pages = new RecordingPublisher();
  const { manifest } = await planRun(
    { service: 'shop', endpoint: 'orders', start: START, end: END, now: END, endGranularityMs: 1 },
    { catalog, source, sink, publisher: pages, log: silentLog },
  );
  for (const task of pages.tasks) await handleTask(task, { catalog, sourceFor: () => source, sink, log: silentLog });
  expect(await sink.exists(successKey(manifest)), 'not sealed yet').to.equal(false);
  return { catalog, source, sink, manifest, tasks: pages.tasks };
}

const compactDates = (publisher: RecordingPublisher) =>
  publisher.tasks.filter((t): t is CompactTask => t.kind === 'compact').map((t) => t.dt);

describe('every way a run is sealed leads to its compaction', () => {
  it('sealed by `status`: the next worker that sees it sealed publishes its compaction tasks, once', async () => {
    const { catalog, source, sink, manifest, tasks } = await landedUnsealed();
    // What `status` does with a run whose pages all landed.
    expect((await finalizeRun(sink, manifest)).sealedNow).to.equal(true);

    const compactions = new RecordingPublisher();
    const worker = () =>
      createTaskProcessor({
        catalog,
        sourceFor: () => source,
        sink,
        log: silentLog,
        maxDeliveryAttempts: 5,
        compactions,
      });
    const redeliver = (task: Task, id: string) =>
      worker()({ id, data: encodeTask(task), attributes: {}, deliveryAttempt: 2 });
    await redeliver(tasks[0]!, 'late-1');
    expect(compactDates(compactions)).to.deep.equal(DATES);
    // Another worker, another late redelivery: nothing is published twice.
    await redeliver(tasks.at(-1)!, 'late-2');
    expect(compactDates(compactions)).to.deep.equal(DATES);
  });

  it('sealed by the planner: the latest run it finds complete is compacted on its page topic', async () => {
    const { catalog, source, sink, manifest } = await landedUnsealed();
    const publisher = new RecordingPublisher();
    const args: PlanArgs = {
      service: 'shop',
      endpoint: 'orders',
      endDate: new Date('2024-07-04T00:00:00Z'),
      endGranularityMs: 1,
      lookbackMs: 0,
      sink: 'mem://test',
      queue: 'memory',
      topic: 'rdc-pages',
      gzip: false,
      dryRun: false,
      allowOverlap: false,
      json: false,
    };
    const planned = await planFromArgs(
      args,
      { catalog, source, sink, publisher, log: silentLog },
      { now: new Date('2024-07-04T00:00:00Z'), ifLatestIncomplete: 'fail' },
    );
    expect(Array.isArray(planned) && planned[0]?.manifest.window.start).to.equal(manifest.window.end);
    expect(await sink.exists(successKey(manifest)), 'sealed by the planner').to.equal(true);
    expect(compactDates(publisher)).to.deep.equal(DATES);
    const compacts = publisher.tasks.filter((t) => t.kind === 'compact');
    expect(compacts.every((t) => t.runId === manifest.runId)).to.equal(true);
  });
});
