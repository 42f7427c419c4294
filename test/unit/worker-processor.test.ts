import { expect } from 'chai';
import { encodeTask, loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { CHECK_EVERY_PAGE_UP_TO, createProcessor } from '@rdc/worker';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

async function setup(records: number, days: number) {
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
  const process = createProcessor({
    catalog,
    sourceFor: () => source,
    sink,
    log: silentLog,
    gzip: false,
    maxDeliveryAttempts: 5,
  });
  const deliver = (task: PageTask) =>
    process({ id: `m-${task.page}`, data: encodeTask(task), attributes: {}, deliveryAttempt: 1 });
  return { sink, tasks: publisher.tasks as PageTask[], deliver, lists: () => lists };
}

describe('worker completion checks', () => {
  it('checks a small run after every landed page and seals it when the last lands', async () => {
    const { sink, tasks, deliver, lists } = await setup(95, 1);
    for (const task of tasks) await deliver(task);
    // runStatus lists the run folder and its dead-letter folder: 2 calls a check;
    // sealing lists the page records once more to sum the schema drift.
    expect(lists()).to.equal(2 * tasks.length + 1);
    expect([...sink.objects.keys()].some((k) => k.endsWith('/_SUCCESS'))).to.equal(true);
    expect([...sink.objects.keys()].some((k) => k.endsWith('watermark.json'))).to.equal(true);
  });

  it(`checks a run of more than ${CHECK_EVERY_PAGE_UP_TO} pages at most every 30 s, not after every page`, async () => {
    const { tasks, deliver, lists } = await setup(10_010, 7);
    expect(tasks.length).to.be.greaterThan(CHECK_EVERY_PAGE_UP_TO);
    for (const task of tasks.slice(0, 20)) await deliver(task);
    expect(lists()).to.equal(2);
  });
});
