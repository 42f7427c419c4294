import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { encodeTask, loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { createTaskProcessor, planRun } from '@rdc/core';
import { BLOCK_FANOUT } from '@rdc/core/state/block-plan.js';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { FakeSource, makeRecords, RecordingPublisher } from '../support/fakes.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { repoRoot } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const BUCKET = 'rdc-seal-at-scale';
const PAGES = 5_000;
const WORKERS = 4;

/**
 * A backfill of 5,000 pages worked by pull workers (the worker's page pipeline,
 * several at once, each taking the next message as a pull subscriber does) into
 * the GCS test double: the run seals itself when its last page lands, with a
 * bounded number of list calls per page, and no `status` call to finish it: the
 * seal combines the block markers and reads no page again.
 */
describe('a large run seals itself when its last page lands', function () {
  // Some 40,000 requests to the double through the storage client: minutes on a busy machine.
  this.timeout(900_000);
  let gcs: GcsTestServer;
  let tmp: { dir: string; cleanup: () => void };

  beforeEach(async () => {
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
    tmp = tempDir('rdc-seal-at-scale-');
  });
  afterEach(async () => {
    gcs.setHook(undefined);
    await gcs.close();
    tmp.cleanup();
  });

  it(`${PAGES} pages on ${WORKERS} pull workers: the worker that lands the last page writes _SUCCESS, with list calls per page bounded`, async () => {
    // The shop fixture with two records a page: 5,000 pages from 10,000 records.
    const shop = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/services/shop.json'), 'utf8')) as {
      endpoints: { orders: { pagination: { pageSize: number } } };
    };
    shop.endpoints.orders.pagination.pageSize = 2;
    mkdirSync(join(tmp.dir, 'config'));
    writeFileSync(join(tmp.dir, 'config', 'shop.json'), JSON.stringify(shop));
    const catalog = loadServices(join(tmp.dir, 'config'));
    const source = new FakeSource(makeRecords(2 * PAGES));
    const sink = new GcsSink({
      bucket: BUCKET,
      prefix: 'raw',
      apiEndpoint: gcs.url,
      projectId: 'local-project',
      deadlineMs: 30_000,
    });
    const publisher = new RecordingPublisher();
    const start = new Date('2024-07-01T00:00:00Z');
    await planRun(
      {
        service: 'shop',
        endpoint: 'orders',
        start,
        end: new Date(start.getTime() + 7 * 86_400_000),
        now: new Date('2025-01-01T00:00:00Z'),
        endGranularityMs: 1,
      },
      { catalog, source, sink, publisher, log: silentLog },
    );
    const tasks = publisher.tasks as PageTask[];
    expect(tasks).to.have.length(PAGES);

    // Every read of a page record or data object that is there (not a look for a page
    // before it lands), and when it was asked for.
    const reads: { at: number; path: string }[] = [];
    gcs.setHook(({ kind, path }) => {
      const name = path.slice(path.indexOf('/o/') + 3);
      if (kind === 'download' && /\/pages\/page-\d+\.json$|\.ndjson$/.test(name) && gcs.object(BUCKET, name))
        reads.push({ at: Date.now(), path: name });
      return undefined;
    });
    const listsBefore = gcs.stats.list;
    let next = 0;
    const worker = async (): Promise<void> => {
      const process = createTaskProcessor({
        catalog,
        sourceFor: () => source,
        sink,
        log: silentLog,
        gzip: false,
        maxDeliveryAttempts: 5,
      });
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const done = await process({
          id: `m-${task.page}`,
          data: encodeTask(task),
          attributes: {},
          deliveryAttempt: 1,
        });
        expect(done.ack, `page ${task.page}`).to.equal('ack');
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));

    const objects = [...gcs.objects.values()];
    const pageRecords = objects.filter((o) => /\/pages\/page-\d+\.json$/.test(o.name));
    expect(pageRecords).to.have.length(PAGES);
    const success = objects.find((o) => o.name.endsWith('/_SUCCESS'));
    expect(success, '_SUCCESS written by the workers').to.not.equal(undefined);
    const lastPage = Math.max(...pageRecords.map((o) => Date.parse(o.timeCreated)));
    const gap = Date.parse(success!.timeCreated) - lastPage;
    expect(gap, `${gap} ms from the last page to _SUCCESS`).to.be.at.most(5_000);
    // Sealing starts as the last page lands and reads block markers, not pages: after the
    // last page, each worker reads at most the page records of one block (for its marker,
    // written once), and no data object at all.
    const sealReads = reads.filter((r) => r.at >= lastPage);
    const pageRecordReads = (rs: typeof reads) => rs.filter((r) => r.path.endsWith('.json')).length;
    expect(pageRecordReads(sealReads), 'page records read after the last page landed').to.be.at.most(
      WORKERS * BLOCK_FANOUT,
    );
    expect(sealReads.length - pageRecordReads(sealReads), 'data objects read after the last page landed').to.equal(0);
    const lists = gcs.stats.list - listsBefore;
    // One list of a block of at most 100 page records per page, a marker list per block
    // of 100, and sealing's lists of the whole run and its partitions (pages of 1,000 names).
    expect(lists / PAGES, `${lists} list calls for ${PAGES} pages`).to.be.below(1.1);
  });
});
