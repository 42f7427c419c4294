import { join } from 'node:path';
import { expect } from 'chai';
import { encodeTask, silentLog, type PageTask } from '@rdc/contracts';
import { createTaskProcessor } from '@rdc/core';
import { RecordingPublisher } from '../support/fakes.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { tempDir } from '../support/hooks.js';
import { planScaleRun, scaleRun, SCALE_PAGES as PAGES, watchSeal } from '../support/seal-at-scale.js';

const BUCKET = 'rdc-seal-at-scale';
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
    const run = scaleRun({ gcs, bucket: BUCKET, configDir: join(tmp.dir, 'config'), pages: PAGES });
    const publisher = new RecordingPublisher();
    await planScaleRun(run, publisher);
    const tasks = publisher.tasks as PageTask[];
    expect(tasks).to.have.length(PAGES);

    const watch = watchSeal(gcs, BUCKET);
    let next = 0;
    const worker = async (): Promise<void> => {
      const process = createTaskProcessor({
        catalog: run.catalog,
        sourceFor: () => run.source,
        sink: run.sink,
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
    watch.assertSealed({ pages: PAGES, workers: WORKERS });
  });
});
