import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { TransientError, decodeTask } from '@rdc/contracts';
import { PubSubPublisher, PubSubPullConsumer, createPubSub, ensureSubscription, ensureTopic } from '@rdc/queues';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';
import { pageTask, sync, waitUntil } from '../support/queue-fixtures.js';

describeWithEmulator('PubSubPublisher (emulator)', (emulator) => {
  let admin: PubSub;
  const closers: (() => Promise<void>)[] = [];

  before(() => {
    admin = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  after(async () => {
    await admin?.close();
  });

  async function topicWithSubscription(): Promise<{ topic: string; subscription: string }> {
    const topic = uniqueName('tasks');
    const subscription = uniqueName('reader');
    await ensureTopic(admin, topic);
    await ensureSubscription(admin, { topic, name: subscription, ackDeadlineSeconds: 60 });
    return { topic, subscription };
  }

  it('publishes 5,000 tasks under small flow-control limits, and every one arrives', async function () {
    this.timeout(120_000);
    const { topic, subscription } = await topicWithSubscription();
    const limit = 100;
    const publisher = new PubSubPublisher({
      projectId: emulator.projectId,
      topic,
      apiEndpoint: emulator.host,
      flowControl: { maxOutstandingMessages: limit, maxOutstandingBytes: 256 * 1024 },
    });
    closers.push(() => publisher.close());
    const n = 5_000;
    let peak = 0;
    for (let page = 1; page <= n; page++) {
      await publisher.publish(pageTask(page, n));
      peak = Math.max(peak, publisher.outstanding);
    }
    await publisher.flush();
    expect(publisher.outstanding).to.equal(0);
    // publish() waited whenever `limit` messages were unconfirmed.
    expect(peak).to.be.at.most(limit);
    expect(peak).to.be.greaterThan(1);

    const seen = new Set<number>();
    const consumer = new PubSubPullConsumer({
      projectId: emulator.projectId,
      subscription,
      apiEndpoint: emulator.host,
      concurrency: 200,
    });
    closers.push(() => consumer.stop());
    await consumer.start(
      sync((delivery) => {
        const task = decodeTask(delivery.data);
        if (task.kind === 'page') seen.add(task.page);
        return 'ack';
      }),
    );
    await waitUntil(`${n} pages`, () => seen.size === n, 90_000);
    expect(seen.size).to.equal(n);
  });

  it('makes flush() reject with a TransientError naming the topic and the failed count', async () => {
    const topic = uniqueName('missing');
    const publisher = new PubSubPublisher({ projectId: emulator.projectId, topic, apiEndpoint: emulator.host });
    closers.push(() => publisher.close().catch(() => undefined));
    for (let page = 1; page <= 3; page++) await publisher.publish(pageTask(page, 3));
    let error: unknown;
    await publisher.flush().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TransientError);
    const message = (error as Error).message;
    expect(message).to.contain(`projects/${emulator.projectId}/topics/${topic}`);
    expect(message).to.contain('failed for 3 of 3 task(s)');
    expect((error as TransientError).retryable).to.equal(true);
    // Failures are reported once: the next flush covers only what came after.
    await publisher.flush();
  });

  it('reports a topic deleted while publishing', async () => {
    const { topic } = await topicWithSubscription();
    const publisher = new PubSubPublisher({ projectId: emulator.projectId, topic, apiEndpoint: emulator.host });
    closers.push(() => publisher.close().catch(() => undefined));
    await publisher.publish(pageTask(1, 2));
    await publisher.flush();
    await admin.topic(topic).delete();
    await publisher.publish(pageTask(2, 2));
    let error: unknown;
    await publisher.flush().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message).to.contain(`failed for 1 of 1 task(s)`);
  });

  it('close() flushes first, then refuses more publishes', async () => {
    const { topic, subscription } = await topicWithSubscription();
    const publisher = new PubSubPublisher({
      projectId: emulator.projectId,
      topic,
      apiEndpoint: emulator.host,
      batching: { maxMessages: 1_000, maxMilliseconds: 10_000 }, // only close() sends this batch
    });
    for (let page = 1; page <= 5; page++) await publisher.publish(pageTask(page, 5));
    await publisher.close();
    let error: unknown;
    await publisher.publish(pageTask(1, 5)).catch((e: unknown) => (error = e));
    expect(String(error)).to.contain('publish() after close()');

    const seen: number[] = [];
    const consumer = new PubSubPullConsumer({
      projectId: emulator.projectId,
      subscription,
      apiEndpoint: emulator.host,
    });
    closers.push(() => consumer.stop());
    await consumer.start(
      sync((delivery) => {
        const task = decodeTask(delivery.data);
        if (task.kind === 'page') seen.push(task.page);
        return 'ack';
      }),
    );
    await waitUntil('5 pages', () => seen.length === 5);
    expect(seen.sort()).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('leaves an injected client open on close()', async () => {
    const { topic } = await topicWithSubscription();
    const publisher = new PubSubPublisher({ projectId: emulator.projectId, topic, pubsub: admin });
    await publisher.publish(pageTask(1, 1));
    await publisher.close();
    const [exists] = await admin.topic(topic).exists();
    expect(exists).to.equal(true);
  });
});
