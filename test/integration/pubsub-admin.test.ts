import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { ConfigError } from '@rdc/contracts';
import { createPubSub, ensureSubscription, ensureTopic } from '@rdc/queues';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';

describeWithEmulator('Pub/Sub admin helpers (emulator)', (emulator) => {
  let admin: PubSub;

  before(() => {
    admin = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });

  after(async () => {
    await admin?.close();
  });

  it('ensureTopic() is idempotent', async () => {
    const name = uniqueName('tasks');
    const first = await ensureTopic(admin, name);
    const second = await ensureTopic(admin, name);
    expect(second.name).to.equal(first.name).and.to.equal(`projects/${emulator.projectId}/topics/${name}`);
    const [exists] = await second.exists();
    expect(exists).to.equal(true);
  });

  it('ensureSubscription() applies dead-letter and retry policies, and is idempotent', async () => {
    const topic = uniqueName('tasks');
    const deadLetterTopic = uniqueName('tasks-dead');
    const name = uniqueName('worker');
    await ensureTopic(admin, topic);
    await ensureTopic(admin, deadLetterTopic);
    const spec = {
      topic,
      name,
      ackDeadlineSeconds: 30,
      deadLetter: { topic: deadLetterTopic, maxDeliveryAttempts: 7 },
      retryPolicy: { minimumBackoff: 1.5, maximumBackoff: 60 },
    };
    await ensureSubscription(admin, spec);
    const again = await ensureSubscription(admin, spec);
    const [metadata] = await again.getMetadata();
    expect(metadata.ackDeadlineSeconds).to.equal(30);
    expect(metadata.deadLetterPolicy).to.deep.include({
      deadLetterTopic: `projects/${emulator.projectId}/topics/${deadLetterTopic}`,
      maxDeliveryAttempts: 7,
    });
    expect(metadata.retryPolicy?.minimumBackoff).to.deep.include({ seconds: '1', nanos: 500_000_000 });
    expect(metadata.retryPolicy?.maximumBackoff).to.deep.include({ seconds: '60' });
  });

  it('ensureSubscription() creates a push subscription', async () => {
    const topic = uniqueName('tasks');
    const name = uniqueName('push');
    await ensureTopic(admin, topic);
    const subscription = await ensureSubscription(admin, {
      topic,
      name,
      ackDeadlineSeconds: 60,
      pushEndpoint: 'http://127.0.0.1:9/push',
    });
    const [metadata] = await subscription.getMetadata();
    expect(metadata.pushConfig?.pushEndpoint).to.equal('http://127.0.0.1:9/push');
  });

  it('surfaces errors other than ALREADY_EXISTS (the emulator rejects names under 3 characters)', async () => {
    let error: unknown;
    await ensureTopic(admin, 'ab').catch((e: unknown) => (error = e));
    expect((error as { code?: number }).code).to.equal(3); // INVALID_ARGUMENT
  });

  it('createPubSub() needs an explicit project id', () => {
    expect(() => createPubSub({ projectId: '', apiEndpoint: emulator.host })).to.throw(
      ConfigError,
      `Pub/Sub needs an explicit project id (endpoint ${emulator.host})`,
    );
  });
});
