import { expect } from 'chai';
import { encodeTask, loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { createTaskProcessor, planRun } from '@rdc/core';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

/** Bytes of the page data files a sink holds (bookkeeping left out). */
const pageBytes = (sink: MemorySink): number =>
  [...sink.objects]
    .filter(([key]) => /\/page-[^/]+\.ndjson(\.gz)?$/.test(key))
    .reduce((sum, [, object]) => sum + object.body.length, 0);

describe('bytes written, as summaries and activity lines report them', () => {
  for (const gzip of [false, true]) {
    it(`count the page files a processor created${gzip ? ' (gzipped, as stored)' : ''}, once, without bookkeeping`, async () => {
      const catalog = loadServices(fixtureConfigDir);
      const source = new FakeSource(makeRecords(250, Date.UTC(2024, 6, 1), 20 * 60_000));
      const sink = new MemorySink();
      const publisher = new RecordingPublisher();
      const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-05T00:00:00Z') };
      await planRun(
        { service: 'shop', endpoint: 'orders', ...window, now: new Date('2025-01-01T00:00:00Z'), endGranularityMs: 1 },
        { catalog, source, sink, publisher, log: silentLog },
      );
      const processor = createTaskProcessor({
        catalog,
        sourceFor: () => source,
        sink,
        log: silentLog,
        gzip,
        maxDeliveryAttempts: 5,
      });
      const tasks = publisher.tasks as PageTask[];
      expect(tasks.length).to.be.greaterThan(1);
      const deliver = (task: PageTask, attempt: number) =>
        processor({
          id: `m-${task.page}-${attempt}`,
          data: encodeTask(task),
          attributes: {},
          deliveryAttempt: attempt,
        });
      for (const task of tasks) await deliver(task, 1);
      const files = [...sink.objects.keys()].filter((key) => /\/page-[^/]+\.ndjson(\.gz)?$/.test(key));
      expect(files.length, 'pages split over several days').to.be.greaterThan(tasks.length);
      expect(processor.writes).to.deep.equal({ pageFiles: files.length, pageBytes: pageBytes(sink) });
      // As if every attempt had stopped before its page record: redeliveries find the files there.
      for (const key of [...sink.objects.keys()]) if (/\/pages\/page-\d+\.json$/.test(key)) sink.objects.delete(key);
      for (const task of tasks) await deliver(task, 2);
      expect(processor.writes, 'nothing counted twice').to.deep.equal({
        pageFiles: files.length,
        pageBytes: pageBytes(sink),
      });
      expect(processor.writes).to.deep.equal({ pageFiles: files.length, pageBytes: pageBytes(sink) });
    });
  }
});
