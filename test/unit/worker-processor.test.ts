import { expect } from 'chai';
import {
  encodeTask,
  loadServices,
  silentLog,
  type CompactTask,
  type Log,
  type PageTask,
  type Task,
} from '@rdc/contracts';
import { compactedRunKey, createTaskProcessor, parquetTableFolder, planRun } from '@rdc/core';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

async function setup(records: number, days: number, log: Log = silentLog) {
  const catalog = loadServices(fixtureConfigDir);
  const source = new FakeSource(makeRecords(records));
  const sink = new MemorySink();
  const publisher = new RecordingPublisher();
  const start = new Date('2024-07-01T00:00:00Z');
  await planRun(
    {
      service: 'shop',
      endpoint: 'orders',
      start,
      end: new Date(start.getTime() + days * 86_400_000),
      now: new Date('2025-01-01T00:00:00Z'),
      endGranularityMs: 1,
    },
    { catalog, source, sink, publisher, log: silentLog },
  );
  let lists = 0;
  const list = sink.list.bind(sink);
  sink.list = (prefix) => {
    lists++;
    return list(prefix);
  };
  const makeProcessor = () =>
    createTaskProcessor({
      catalog,
      sourceFor: () => source,
      sink,
      log,
      gzip: false,
      maxDeliveryAttempts: 5,
    });
  const process = createTaskProcessor({
    catalog,
    sourceFor: () => source,
    sink,
    log: silentLog,
    gzip: false,
    maxDeliveryAttempts: 5,
  });
  const deliver = (task: PageTask) =>
    process({ id: `m-${task.page}`, data: encodeTask(task), attributes: {}, deliveryAttempt: 1 });
  return { sink, source, tasks: publisher.tasks as PageTask[], deliver, lists: () => lists, makeProcessor };
}

describe('worker completion checks', () => {
  it('logs "Run … complete" once per run, though several workers see the last page land', async () => {
    const lines: string[] = [];
    const log: Log = {
      error: () => undefined,
      warn: () => undefined,
      info: (message: string) => lines.push(message),
      debug: () => undefined,
      child: () => log,
    };
    const { tasks, deliver, makeProcessor } = await setup(95, 1, log);
    for (const task of tasks.slice(0, -1)) await deliver(task);
    const last = tasks.at(-1)!;
    const workers = [makeProcessor(), makeProcessor(), makeProcessor()];
    await Promise.all(
      workers.map((work, i) => work({ id: `m-last-${i}`, data: encodeTask(last), attributes: {}, deliveryAttempt: 1 })),
    );
    expect(lines.filter((line) => / complete: /.test(line))).to.have.length(1);
  });

  it('does not seal a run whose records do not add up, and logs the pages, cause and remedy', async () => {
    const errors: string[] = [];
    const log: Log = {
      error: (message: string) => errors.push(message),
      warn: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      child: () => log,
    };
    const { sink, source, tasks, makeProcessor } = await setup(95, 1, log);
    const all = [...source.records];
    // Page 2 repeats the last record of page 1 and drops its own last one.
    source.transform = (records, request) => (request.page === 2 ? [all[9]!, ...records.slice(0, -1)] : records);
    const work = makeProcessor();
    for (const task of tasks)
      await work({ id: `m-${task.page}`, data: encodeTask(task), attributes: {}, deliveryAttempt: 1 });
    expect([...sink.objects.keys()].some((k) => k.endsWith('/_SUCCESS'))).to.equal(false);
    const sealing = errors.filter((line) => line.includes('NOT SEALED'));
    expect(sealing).to.have.length(1);
    expect(sealing[0]).to.include('Pages: page-000002').and.include('--repair');
  });

  it('checks a small run after every landed page with one small list call, and seals it when the last lands', async () => {
    const { sink, tasks, deliver, lists } = await setup(95, 1);
    for (const task of tasks) await deliver(task);
    // Each landed page lists its block of 100 page records: 1 call a page. The run's one
    // block fills with the last page: its marker, one list of the markers, then sealing:
    // runStatus lists the run folder and its dead-letter folder, the check from the block
    // markers lists the run's one dt= folder, and moving the (first) watermark lists the
    // endpoint's planned runs, then the runs that start at its end.
    expect(lists()).to.equal(tasks.length + 1 + 5);
    expect([...sink.objects.keys()].some((k) => k.endsWith('/_SUCCESS'))).to.equal(true);
    expect([...sink.objects.keys()].some((k) => k.endsWith('watermark.json'))).to.equal(true);
  });

  it('checks a run of several blocks after every page with list calls of at most one block, and seals it when the last lands', async () => {
    const { sink, tasks, deliver } = await setup(2_510, 2);
    expect(tasks.length).to.be.greaterThan(250);
    const listed: number[] = [];
    const list = sink.list.bind(sink);
    sink.list = async (prefix) => {
      const keys = await list(prefix);
      listed.push(keys.length);
      return keys;
    };
    // Out of order, as several workers land them.
    const order = [...tasks.slice(1).reverse(), tasks[0]!];
    for (const task of order.slice(0, -1)) await deliver(task);
    expect([...sink.objects.keys()].some((k) => k.endsWith('/_SUCCESS'))).to.equal(false);
    expect(Math.max(...listed)).to.be.at.most(100);
    expect(listed.length).to.be.below(1.1 * tasks.length);
    await deliver(order.at(-1)!);
    expect([...sink.objects.keys()].some((k) => k.endsWith('/_SUCCESS'))).to.equal(true);
  });
});

describe('worker: compaction tasks through the queue', () => {
  it('the sealer publishes one compaction task per dt= partition; workers compact them, the last one marks the run', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const source = new FakeSource(makeRecords(95, Date.UTC(2024, 6, 1), 45 * 60_000)); // about 3 days
    const sink = new MemorySink();
    const pages = new RecordingPublisher();
    const start = new Date('2024-07-01T00:00:00Z');
    await planRun(
      {
        service: 'shop',
        endpoint: 'orders',
        start,
        end: new Date(start.getTime() + 3 * 86_400_000),
        now: new Date('2025-01-01T00:00:00Z'),
        endGranularityMs: 1,
      },
      { catalog, source, sink, publisher: pages, log: silentLog },
    );
    const compactions = new RecordingPublisher();
    const processor = createTaskProcessor({
      catalog,
      sourceFor: () => source,
      sink,
      log: silentLog,
      gzip: false,
      maxDeliveryAttempts: 5,
      parquet: true,
      compactions,
    });
    const deliver = (task: Task, id: string) =>
      processor({ id, data: encodeTask(task), attributes: {}, deliveryAttempt: 1 });
    for (const task of pages.tasks) await deliver(task, `p-${task.runId}-${JSON.stringify(task).length}`);
    const tasks = compactions.tasks as CompactTask[];
    expect(tasks.map((t) => [t.kind, t.dt])).to.deep.equal([
      ['compact', '2024-07-01'],
      ['compact', '2024-07-02'],
      ['compact', '2024-07-03'],
    ]);
    const run = { runId: tasks[0]!.runId, service: 'shop', endpoint: 'orders' };
    // Delivered out of order, one twice: each partition is compacted once; the last marks the run.
    for (const [i, task] of [tasks[2]!, tasks[0]!, tasks[0]!, tasks[1]!].entries()) {
      const processed = await deliver(task, `c-${i}`);
      expect(processed.ack, String(processed.error)).to.equal('ack');
      expect(processed.decision).to.equal('ack');
    }
    const marker = JSON.parse((await sink.get(compactedRunKey(run)))!.toString('utf8')) as { records: number };
    expect(marker.records).to.equal(95);
    expect((await sink.list(parquetTableFolder(run))).length).to.equal(3);
  });

  it('when publishing the compaction tasks fails, the sealer says how to compact the run by hand', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const source = new FakeSource(makeRecords(30));
    const sink = new MemorySink();
    const pages = new RecordingPublisher();
    const start = new Date('2024-07-01T00:00:00Z');
    await planRun(
      {
        service: 'shop',
        endpoint: 'orders',
        start,
        end: new Date(start.getTime() + 86_400_000),
        now: new Date('2025-01-01T00:00:00Z'),
        endGranularityMs: 1,
      },
      { catalog, source, sink, publisher: pages, log: silentLog },
    );
    const errors: string[] = [];
    const log: Log = { ...silentLog, error: (message: string) => errors.push(message), child: () => log };
    const failing = new RecordingPublisher();
    failing.publish = () => Promise.reject(new Error('topic rdc-pages not found'));
    const processor = createTaskProcessor({
      catalog,
      sourceFor: () => source,
      sink,
      log,
      gzip: false,
      maxDeliveryAttempts: 5,
      parquet: true,
      compactions: failing,
    });
    for (const [i, task] of pages.tasks.entries()) {
      expect(
        (await processor({ id: `p-${i}`, data: encodeTask(task), attributes: {}, deliveryAttempt: 1 })).ack,
      ).to.equal('ack');
    }
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/publishing its compaction tasks failed after 0: topic rdc-pages not found/);
    expect(errors[0]).to.include(`npm start -- --resume ${pages.tasks[0]!.runId} --parquet --sink mem://test`);
  });

  it('a compaction task of a run that is not sealed is dead-lettered, not compacted', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const sink = new MemorySink();
    const processor = createTaskProcessor({
      catalog,
      sourceFor: () => new FakeSource([]),
      sink,
      log: silentLog,
      gzip: false,
      maxDeliveryAttempts: 5,
    });
    const window = { start: '2024-07-01T00:00:00.000Z', end: '2024-07-02T00:00:00.000Z' };
    const task: CompactTask = {
      v: 1,
      kind: 'compact',
      runId: 'shop.orders.20240701T000000Z-20240702T000000Z',
      service: 'shop',
      endpoint: 'orders',
      window,
      dt: '2024-07-01',
    };
    const processed = await processor({ id: 'c-1', data: encodeTask(task), attributes: {}, deliveryAttempt: 1 });
    expect(processed.decision).to.equal('dead-letter');
    expect(String(processed.error)).to.match(/not sealed/);
    expect(await sink.list('_rdc/deadletter/')).to.have.length(1);
    expect(await sink.list('shop/orders.parquet/')).to.deep.equal([]);
  });
});
