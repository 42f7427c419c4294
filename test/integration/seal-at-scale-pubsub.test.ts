import { join } from 'node:path';
import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { decodeTask, silentLog } from '@rdc/contracts';
import { createTaskProcessor } from '@rdc/core';
import { createPubSub, ensureSubscription, ensureTopic, PubSubPublisher, PubSubPullConsumer } from '@rdc/queues';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { tempDir } from '../support/hooks.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';
import { waitUntil } from '../support/queue-fixtures.js';
import { planScaleRun, scaleRun, scaleSink, SCALE_PAGES as PAGES, watchSeal } from '../support/seal-at-scale.js';

const BUCKET = 'rdc-seal-at-scale-pubsub';
/** Pull workers, each with its own streaming pull, storage client and page pipeline. */
const CONSUMERS = 3;
/** Pages each worker handles at once (--concurrency). */
const CONCURRENCY = 4;

/**
 * The same 5,000-page backfill as seal-at-scale.test.ts, with its tasks carried by the
 * Pub/Sub emulator to several streaming-pull workers: every page lands once, and the
 * worker that lands the last one seals the run within seconds, its list calls per page bounded.
 */
describeWithEmulator('a large run through Pub/Sub pull seals itself when its last page lands', (emulator) => {
  let pubsub: PubSub;
  let gcs: GcsTestServer;
  let tmp: { dir: string; cleanup: () => void };
  const consumers: PubSubPullConsumer[] = [];
  const created: Array<{ kind: 'topic' | 'subscription'; name: string }> = [];

  before(() => {
    pubsub = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });
  after(async () => {
    await pubsub?.close();
  });
  beforeEach(async () => {
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
    tmp = tempDir('rdc-seal-at-scale-pubsub-');
  });
  afterEach(async function () {
    this.timeout(60_000);
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    // Subscriptions first, then topics.
    for (const { kind, name } of created
      .splice(0)
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'subscription' ? -1 : 1)))
      await (kind === 'topic' ? pubsub.topic(name).delete() : pubsub.subscription(name).delete()).catch(
        () => undefined,
      );
    gcs.setHook(undefined);
    await gcs.close();
    tmp.cleanup();
  });

  it(`${PAGES} pages on ${CONSUMERS} streaming-pull workers: each page lands once and _SUCCESS follows the last within seconds`, async function () {
    // Some 40,000 requests to the double and 5,000 messages through the emulator.
    this.timeout(600_000);
    const topic = uniqueName('rdc-scale-pages');
    const subscription = uniqueName('rdc-scale-pull');
    await ensureTopic(pubsub, topic);
    created.push({ kind: 'topic', name: topic }, { kind: 'subscription', name: subscription });
    await ensureSubscription(pubsub, { topic, name: subscription, ackDeadlineSeconds: 60 });

    const run = scaleRun({ gcs, bucket: BUCKET, configDir: join(tmp.dir, 'config'), pages: PAGES });
    const publisher = new PubSubPublisher({ projectId: emulator.projectId, topic, apiEndpoint: emulator.host });
    try {
      await planScaleRun(run, publisher);
    } finally {
      await publisher.close();
    }

    const watch = watchSeal(gcs, BUCKET);
    // Pages acked (a redelivery may be handled again; it must not land again).
    const acked = new Set<number>();
    const failures: string[] = [];
    for (let i = 0; i < CONSUMERS; i++) {
      const handle = createTaskProcessor({
        catalog: run.catalog,
        sourceFor: () => run.source,
        sink: scaleSink(gcs, BUCKET),
        log: silentLog,
        gzip: false,
        maxDeliveryAttempts: 5,
      });
      const consumer = new PubSubPullConsumer({
        projectId: emulator.projectId,
        subscription,
        apiEndpoint: emulator.host,
        concurrency: CONCURRENCY,
        onUnexpectedClose: () => failures.push(`worker ${i}: the streaming pull closed`),
      });
      consumers.push(consumer);
      await consumer.start(async (delivery) => {
        const task = decodeTask(delivery.data);
        const page = task.kind === 'page' ? task.page : -1;
        const done = await handle(delivery);
        if (done.ack === 'ack') acked.add(page);
        else failures.push(`page ${page}: ${done.ack}`);
        return done.ack;
      });
    }
    await waitUntil(`${PAGES} pages acked`, () => failures.length > 0 || acked.size === PAGES, 540_000);
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    expect(failures).to.deep.equal([]);
    watch.assertSealed({ pages: PAGES, workers: CONSUMERS * CONCURRENCY });
    // Every page once, every record once: the write-once landing holds under redelivery.
    expect([...acked].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: PAGES }, (_, i) => i + 1));
    const ids = new Map<string, number>();
    for (const o of gcs.objects.values()) {
      if (!o.name.endsWith('.ndjson')) continue;
      for (const line of o.data.toString('utf8').split('\n'))
        if (line) {
          const id = (JSON.parse(line) as { id: string }).id;
          ids.set(id, (ids.get(id) ?? 0) + 1);
        }
    }
    expect(ids.size, 'records landed').to.equal(2 * PAGES);
    expect(
      [...ids].filter(([, n]) => n > 1),
      'records landed twice',
    ).to.deep.equal([]);
  });
});
