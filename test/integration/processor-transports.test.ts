import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import {
  loadServices,
  PermanentError,
  silentLog,
  TransientError,
  type Delivery,
  type PageRequest,
  type PageResult,
  type PageTask,
} from '@rdc/contracts';
import { createTaskProcessor, pageStem, parseRunId, planRun, type TaskProcessor } from '@rdc/core';
import { pageRecordKey } from '@rdc/core/bucket-layout.js';
import { type Decision } from '@rdc/core/delivery/outcome-policy.js';
import { createPubSub, ensureSubscription, ensureTopic, MemoryQueue, PubSubPullConsumer } from '@rdc/queues';
import { createPushServer } from '@rdc/worker';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { post } from '../support/push.js';
import { describeWithEmulator, uniqueName, type EmulatorFixture } from '../support/pubsub-emulator.js';
import { waitUntil } from '../support/queue-fixtures.js';
import { fixtureConfigDir } from '../unit/core-handler.test.js';

/** Attempts before a task is dead-lettered: the processor's and the queue's policy. */
const MAX_ATTEMPTS = 5;

/** A transport as the processor sees it: messages go in, its outcomes go back to the queue. */
interface Transport {
  /** Delivers `message` (JSON) until the processor acks it or the queue gives up. */
  send(message: unknown): Promise<void>;
  close(): Promise<void>;
}
type OpenTransport = (process: TaskProcessor) => Promise<Transport>;

interface Case {
  name: string;
  /** The message the queue carries, from the run's first planned task. */
  message(task: PageTask): unknown;
  /** What the API does on its nth page request (1-based): an error to throw, or undefined to serve. */
  fail?(call: number): Error | undefined;
  /** The processor's decisions, delivery by delivery. */
  decisions: Decision[];
  /** Whether page 1 landed. */
  landed: boolean;
  /** Where the dead-letter record goes, if any. */
  deadLetter?: RegExp;
  /** Page requests the API saw. */
  requests: number;
}

const RUN_DEAD_LETTER = /^_rdc\/deadletter\/shop\/orders\/run=[^/]+\/page-000001\.m[0-9a-f]+-a\d+\.json$/;

/** The processor test table: every transport must come out of each case the same. */
const cases: Case[] = [
  { name: 'success: the page lands and is acked', message: (t) => t, decisions: ['ack'], landed: true, requests: 1 },
  {
    name: 'transient: a 503 is retried, and the redelivery lands the page',
    message: (t) => t,
    fail: (call) => (call === 1 ? new TransientError('API answered 503') : undefined),
    decisions: ['retry', 'ack'],
    landed: true,
    requests: 2,
  },
  {
    name: 'permanent: a 404 is dead-lettered at once and acked',
    message: (t) => t,
    fail: () => new PermanentError('API answered 404'),
    decisions: ['dead-letter'],
    landed: false,
    deadLetter: RUN_DEAD_LETTER,
    requests: 1,
  },
  {
    name: `last attempt: a failure that stays transient is dead-lettered on attempt ${MAX_ATTEMPTS}`,
    message: (t) => t,
    fail: () => new TransientError('API answered 503'),
    decisions: [...Array<Decision>(MAX_ATTEMPTS - 1).fill('retry'), 'dead-letter'],
    landed: false,
    deadLetter: RUN_DEAD_LETTER,
    requests: MAX_ATTEMPTS,
  },
  {
    name: 'forged task: a page its run did not plan is dead-lettered before any request',
    message: (t) => ({ ...t, total: t.total - 1 }),
    decisions: ['dead-letter'],
    landed: false,
    deadLetter: RUN_DEAD_LETTER,
    requests: 0,
  },
  {
    name: 'malformed message: not a task, dead-lettered outside every run',
    message: () => ({ v: 1, kind: 'page' }),
    decisions: ['dead-letter'],
    landed: false,
    deadLetter: /^_rdc\/deadletter\/_malformed\/[0-9a-f]+\.json$/,
    requests: 0,
  },
];

/** Runs the table against one transport. */
function processorContract(name: string, open: OpenTransport): void {
  describe(`task processor over ${name}`, function () {
    this.timeout(60_000);
    let transport: Transport | undefined;
    afterEach(async () => {
      await transport?.close();
      transport = undefined;
    });

    for (const c of cases) {
      it(c.name, async () => {
        const catalog = loadServices(fixtureConfigDir);
        const source = new FakeSource(makeRecords(120));
        const sink = new MemorySink();
        const publisher = new RecordingPublisher();
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
          { catalog, source, sink, publisher, log: silentLog },
        );
        const task = publisher.tasks[0] as PageTask;
        let calls = 0;
        const fetchPage = source.fetchPage.bind(source);
        source.fetchPage = (request: PageRequest): Promise<PageResult> => {
          calls++;
          const error = c.fail?.(calls);
          return error ? Promise.reject(error) : fetchPage(request);
        };
        const processor = createTaskProcessor({
          catalog,
          sourceFor: () => source,
          sink,
          log: silentLog,
          maxDeliveryAttempts: MAX_ATTEMPTS,
        });
        const decisions: Decision[] = [];
        const observed = Object.assign(
          async (delivery: Delivery, undecodable?: Error) => {
            const processed = await processor(delivery, undecodable);
            decisions.push(processed.decision);
            return processed;
          },
          { caches: processor.caches, writes: processor.writes },
        );
        transport = await open(observed);
        await transport.send(c.message(task));
        await waitUntil(`the ${c.decisions.length} decision(s) of "${c.name}"`, () => {
          const last = decisions.at(-1);
          return last !== undefined && last !== 'retry';
        });

        expect(decisions).to.deep.equal(c.decisions);
        expect(calls, 'page requests').to.equal(c.requests);
        const run = parseRunId(task.runId);
        expect(await sink.exists(pageRecordKey(run, pageStem(1))), 'page 1 landed').to.equal(c.landed);
        const deadLetters = await sink.list('_rdc/deadletter/');
        if (c.deadLetter) {
          expect(deadLetters).to.have.length(1);
          expect(deadLetters[0]).to.match(c.deadLetter);
        } else {
          expect(deadLetters).to.deep.equal([]);
        }
      });
    }
  });
}

processorContract('Pub/Sub push (HTTP on loopback)', async (process) => {
  const push = createPushServer({
    process,
    authorize: () => Promise.resolve(undefined),
    log: silentLog,
    maxBodyBytes: 1_000_000,
    requestTimeoutMs: 30_000,
  });
  await new Promise<void>((resolve) => push.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(push.server.address() as AddressInfo).port}/`;
  let sent = 0;
  return {
    // As Pub/Sub does: a non-2xx answer is redelivered with the next attempt number, up to the policy.
    async send(message) {
      const messageId = `push-${++sent}`;
      const data = Buffer.from(JSON.stringify(message)).toString('base64');
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const res = await post(url, { message: { data, messageId, attributes: {} }, deliveryAttempt: attempt });
        if (res.status === 204) return;
        expect(res.status, res.text).to.equal(503);
      }
    },
    close: () => push.shutdown(1_000),
  };
});

processorContract('the in-process queue (npm start)', async (process) => {
  const queue = new MemoryQueue({
    concurrency: 1,
    // As the embedded runner sets it: the processor dead-letters first.
    maxDeliveryAttempts: MAX_ATTEMPTS + 3,
    retryBackoff: { minMs: 5, maxMs: 20 },
  });
  await queue.start(async (delivery) => (await process(delivery)).ack);
  return {
    // The in-process queue carries what the runner publishes, encoded as JSON like any task.
    send: (message) => queue.publish(message as PageTask),
    close: () => queue.stop(),
  };
});

describeWithEmulator('Pub/Sub emulator', (emulator: EmulatorFixture) => {
  processorContract('Pub/Sub streaming pull (emulator)', async (process) => {
    const { projectId, host: apiEndpoint } = emulator;
    const admin = createPubSub({ projectId, apiEndpoint });
    const topic = uniqueName('tasks');
    const deadLetterTopic = uniqueName('tasks-dead');
    const subscription = uniqueName('worker');
    await ensureTopic(admin, topic);
    await ensureTopic(admin, deadLetterTopic);
    await ensureSubscription(admin, {
      topic,
      name: subscription,
      ackDeadlineSeconds: 10,
      // The dead-letter policy is also what makes Pub/Sub report deliveryAttempt.
      deadLetter: { topic: deadLetterTopic, maxDeliveryAttempts: MAX_ATTEMPTS },
      retryPolicy: { minimumBackoff: 0.1, maximumBackoff: 0.5 },
    });
    const consumer = new PubSubPullConsumer({ projectId, subscription, apiEndpoint, concurrency: 1 });
    await consumer.start(async (delivery) => (await process(delivery)).ack);
    return {
      async send(message) {
        await admin.topic(topic).publishMessage({ data: Buffer.from(JSON.stringify(message)) });
      },
      async close() {
        await consumer.stop();
        await admin.close();
      },
    };
  });
});
