import { expect } from 'chai';
import { decodeTask, type Delivery, type TaskConsumer, type TaskPublisher } from '@rdc/contracts';
import {
  MemoryQueue,
  PubSubPublisher,
  PubSubPullConsumer,
  createPubSub,
  ensureSubscription,
  ensureTopic,
} from '@rdc/queues';
import { describeWithEmulator, uniqueName, type EmulatorFixture } from '../support/pubsub-emulator.js';
import { QUEUE_RUN_ID, pageTask, sleep, sync, waitUntil } from '../support/queue-fixtures.js';

/** One queue as a test sees it: a publisher and a consumer over the same messages. */
interface QueuePair {
  publisher: TaskPublisher;
  consumer: TaskConsumer;
  /** Messages that ran out of delivery attempts, appended as they arrive. */
  deadLetters: Delivery[];
  close(): Promise<void>;
}

interface PairOptions {
  concurrency: number;
  maxDeliveryAttempts: number;
}

type MakeQueuePair = (options: PairOptions) => Promise<QueuePair>;

function pageOf(delivery: Delivery): number {
  const task = decodeTask(delivery.data);
  if (task.kind !== 'page') throw new Error(`expected a page task, got ${task.kind}`);
  return task.page;
}

/** The queue contract: every adapter must pass it unchanged. */
function queueContract(name: string, makeQueuePair: MakeQueuePair): void {
  describe(`queue contract: ${name}`, function () {
    this.timeout(60_000);
    let pair: QueuePair | undefined;

    async function open(options: Partial<PairOptions> = {}): Promise<QueuePair> {
      pair = await makeQueuePair({ concurrency: 4, maxDeliveryAttempts: 5, ...options });
      return pair;
    }

    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('delivers every published task and acks it (none lost)', async () => {
      const { publisher, consumer } = await open({ concurrency: 8 });
      const n = 60;
      for (let page = 1; page <= n; page++) await publisher.publish(pageTask(page, n));
      await publisher.flush();
      const seen = new Map<number, number>();
      await consumer.start(
        sync((delivery) => {
          const page = pageOf(delivery);
          seen.set(page, (seen.get(page) ?? 0) + 1);
          return 'ack';
        }),
      );
      await waitUntil(`${n} distinct pages`, () => seen.size === n);
      await sleep(300); // anything unacked would come back; nothing should
      expect([...seen.keys()].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i + 1));
      expect(
        [...seen.values()].every((count) => count === 1),
        'each page delivered once',
      ).to.equal(true);
    });

    it('puts runId, service, endpoint and page in the attributes', async () => {
      const { publisher, consumer } = await open();
      await publisher.publish(pageTask(7));
      await publisher.flush();
      const deliveries: Delivery[] = [];
      await consumer.start(
        sync((delivery) => {
          deliveries.push(delivery);
          return 'ack';
        }),
      );
      await waitUntil('one delivery', () => deliveries.length === 1);
      const [delivery] = deliveries;
      expect(delivery?.attributes).to.include({
        runId: QUEUE_RUN_ID,
        service: 'shop',
        endpoint: 'orders',
        kind: 'page',
        page: '7',
      });
      expect(delivery?.id).to.be.a('string').that.is.not.empty;
      expect(delivery?.deliveryAttempt).to.equal(1);
    });

    it("redelivers on 'retry' with a higher deliveryAttempt", async () => {
      const { publisher, consumer } = await open();
      await publisher.publish(pageTask(1));
      await publisher.flush();
      const attempts: number[] = [];
      await consumer.start(
        sync((delivery) => {
          attempts.push(delivery.deliveryAttempt);
          return attempts.length < 2 ? 'retry' : 'ack';
        }),
      );
      await waitUntil('a redelivery', () => attempts.length === 2);
      expect(attempts).to.deep.equal([1, 2]);
    });

    it('redelivers when the handler throws, without crashing', async () => {
      const { publisher, consumer } = await open();
      await publisher.publish(pageTask(1));
      await publisher.flush();
      const attempts: number[] = [];
      await consumer.start(
        sync((delivery) => {
          attempts.push(delivery.deliveryAttempt);
          if (attempts.length === 1) throw new Error('boom');
          return 'ack';
        }),
      );
      await waitUntil('a redelivery', () => attempts.length === 2);
      expect(attempts).to.deep.equal([1, 2]);
    });

    it('moves a message to the dead-letter path after maxDeliveryAttempts', async () => {
      const { publisher, consumer, deadLetters } = await open({ maxDeliveryAttempts: 5 });
      await publisher.publish(pageTask(3));
      await publisher.flush();
      const attempts: number[] = [];
      await consumer.start(
        sync((delivery) => {
          attempts.push(delivery.deliveryAttempt);
          return 'retry';
        }),
      );
      await waitUntil('a dead letter', () => deadLetters.length === 1, 40_000);
      expect(attempts).to.deep.equal([1, 2, 3, 4, 5]);
      const [dead] = deadLetters;
      if (!dead) throw new Error('unreachable');
      expect(pageOf(dead)).to.equal(3);
      expect(dead.attributes).to.include({ runId: QUEUE_RUN_ID, page: '3' });
      await sleep(300);
      expect(attempts, 'no delivery after dead-lettering').to.have.length(5);
    });

    it('never runs more than `concurrency` handlers at once', async () => {
      const concurrency = 3;
      const { publisher, consumer } = await open({ concurrency });
      const n = 24;
      for (let page = 1; page <= n; page++) await publisher.publish(pageTask(page, n));
      await publisher.flush();
      let running = 0;
      let peak = 0;
      const done = new Set<number>();
      await consumer.start(async (delivery) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(40);
        running--;
        done.add(pageOf(delivery));
        return 'ack';
      });
      await waitUntil(`${n} pages`, () => done.size === n);
      expect(peak).to.be.at.most(concurrency);
      expect(peak, 'handlers ran in parallel').to.be.at.least(2);
    });

    it('stop() waits for in-flight handlers', async () => {
      const { publisher, consumer } = await open({ concurrency: 2 });
      for (let page = 1; page <= 2; page++) await publisher.publish(pageTask(page));
      await publisher.flush();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started = 0;
      let finished = 0;
      await consumer.start(async () => {
        started++;
        await gate;
        await sleep(20);
        finished++;
        return 'ack';
      });
      await waitUntil('two handlers running', () => started === 2);
      let stopped = false;
      const stopping = consumer.stop().then(() => (stopped = true));
      await sleep(200);
      expect(stopped, 'stop() resolved while handlers were running').to.equal(false);
      release();
      await stopping;
      expect(finished).to.equal(2);
    });
  });
}

queueContract('MemoryQueue', ({ concurrency, maxDeliveryAttempts }) => {
  const deadLetters: Delivery[] = [];
  const queue = new MemoryQueue({
    concurrency,
    maxDeliveryAttempts,
    retryBackoff: { minMs: 10, maxMs: 50 },
    onDeadLetter: (delivery) => {
      deadLetters.push(delivery);
      return Promise.resolve();
    },
  });
  return Promise.resolve({ publisher: queue, consumer: queue, deadLetters, close: () => queue.stop() });
});

describeWithEmulator('Pub/Sub emulator', (emulator: EmulatorFixture) => {
  queueContract('Pub/Sub (publisher + streaming pull)', async ({ concurrency, maxDeliveryAttempts }) => {
    const { projectId, host: apiEndpoint } = emulator;
    const admin = createPubSub({ projectId, apiEndpoint });
    const topic = uniqueName('tasks');
    const deadLetterTopic = uniqueName('tasks-dead');
    const subscription = uniqueName('worker');
    const deadLetterSubscription = uniqueName('dead-reader');
    await ensureTopic(admin, topic);
    await ensureTopic(admin, deadLetterTopic);
    await ensureSubscription(admin, {
      topic,
      name: subscription,
      ackDeadlineSeconds: 10,
      // A dead-letter policy is also what makes Pub/Sub report deliveryAttempt.
      deadLetter: { topic: deadLetterTopic, maxDeliveryAttempts },
      retryPolicy: { minimumBackoff: 0.1, maximumBackoff: 0.5 },
    });
    await ensureSubscription(admin, { topic: deadLetterTopic, name: deadLetterSubscription, ackDeadlineSeconds: 10 });

    const publisher = new PubSubPublisher({ projectId, topic, apiEndpoint });
    const consumer = new PubSubPullConsumer({ projectId, subscription, apiEndpoint, concurrency });
    const deadLetterReader = new PubSubPullConsumer({ projectId, subscription: deadLetterSubscription, apiEndpoint });
    const deadLetters: Delivery[] = [];
    await deadLetterReader.start(
      sync((delivery) => {
        deadLetters.push(delivery);
        return 'ack';
      }),
    );
    return {
      publisher,
      consumer,
      deadLetters,
      close: async () => {
        await Promise.all([consumer.stop(), deadLetterReader.stop(), publisher.close()]);
        await admin.close();
      },
    };
  });
});
