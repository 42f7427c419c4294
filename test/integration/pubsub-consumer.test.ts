import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { PubSubPullConsumer, createPubSub, ensureSubscription, ensureTopic } from '@rdc/queues';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';
import { recordingLog, sync, waitUntil } from '../support/queue-fixtures.js';

describeWithEmulator('PubSubPullConsumer (emulator)', (emulator) => {
  let admin: PubSub;
  let consumer: PubSubPullConsumer | undefined;

  before(() => {
    admin = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
  });

  after(async () => {
    await admin?.close();
  });

  it('logs stream errors (a missing subscription) instead of throwing them', async () => {
    const log = recordingLog();
    const subscription = uniqueName('nowhere');
    consumer = new PubSubPullConsumer({ projectId: emulator.projectId, subscription, apiEndpoint: emulator.host, log });
    await consumer.start(sync(() => 'ack'));
    await waitUntil('an error line', () => log.lines.some((l) => l.level === 'error'));
    const line = log.lines.find((l) => l.level === 'error');
    expect(line?.meta).to.include({ subscription, code: 5 }); // NOT_FOUND
    expect(String(line?.meta['error'])).to.match(/does not exist|not found/i);
  });

  it('tells its owner when the stream closes without stop(), so a worker can exit and be restarted', async () => {
    let closed = 0;
    consumer = new PubSubPullConsumer({
      projectId: emulator.projectId,
      subscription: uniqueName('nowhere'),
      apiEndpoint: emulator.host,
      onUnexpectedClose: () => closed++,
    });
    await consumer.start(sync(() => 'ack'));
    await waitUntil('the close callback', () => closed > 0);
    expect(closed).to.equal(1);
  });

  it('reports deliveryAttempt 1 on subscriptions without a dead-letter policy, even on redelivery', async () => {
    const topic = uniqueName('tasks');
    const subscription = uniqueName('plain');
    await ensureTopic(admin, topic);
    await ensureSubscription(admin, { topic, name: subscription, ackDeadlineSeconds: 10 });
    await admin.topic(topic).publishMessage({ data: Buffer.from('{}'), attributes: { page: '1' } });
    const attempts: number[] = [];
    consumer = new PubSubPullConsumer({ projectId: emulator.projectId, subscription, apiEndpoint: emulator.host });
    await consumer.start(
      sync((delivery) => {
        attempts.push(delivery.deliveryAttempt);
        return attempts.length < 3 ? 'retry' : 'ack';
      }),
    );
    await waitUntil('three deliveries', () => attempts.length === 3);
    // Pub/Sub counts attempts only with a dead-letter policy; the emulator sends 0 here.
    expect(attempts).to.deep.equal([1, 1, 1]);
  });

  it('validates its options', () => {
    expect(
      () =>
        new PubSubPullConsumer({ projectId: emulator.projectId, subscription: 'sub', concurrency: 0, pubsub: admin }),
    ).to.throw(TypeError, 'Expected `concurrency` to be a positive integer, got `0` (number)');
    expect(() => new PubSubPullConsumer({ projectId: emulator.projectId, subscription: '', pubsub: admin })).to.throw(
      TypeError,
      'Expected `subscription` to be a non-empty string',
    );
  });
});
