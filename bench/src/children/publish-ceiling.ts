/**
 * S3's ceiling: a bare loop of flow-controlled `publishMessage` through
 * @google-cloud/pubsub, with the publisher's batching and flow-control settings and
 * messages of the same size and attributes as the planner's tasks, then `all()`.
 *
 * argv[2]: JSON { projectId, emulatorHost, topic, messages, start, end }. Prints one JSON line.
 */
import { createPubSub, PUBSUB_BATCHING_DEFAULTS, PUBSUB_FLOW_CONTROL_DEFAULTS } from '@rdc/queues';
import { S3_RECORDS_PER_PAGE } from '../config.js';

interface Args {
  projectId: string;
  emulatorHost: string;
  topic: string;
  messages: number;
  start: string;
  end: string;
}

async function run(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const pubsub = createPubSub({ projectId: args.projectId, apiEndpoint: args.emulatorHost });
  try {
    const topic = pubsub.topic(args.topic, {
      batching: { ...PUBSUB_BATCHING_DEFAULTS },
      flowControlOptions: { ...PUBSUB_FLOW_CONTROL_DEFAULTS },
    });
    const runId = 'retail.sales.20240101T000000Z-20260101T000000Z';
    const window = { start: args.start, end: args.end };
    const started = performance.now();
    const flow = topic.flowControlled();
    for (let page = 1; page <= args.messages; page++) {
      const task = { v: 1, runId, service: 'retail', endpoint: 'sales', window, pageSize: S3_RECORDS_PER_PAGE };
      const data = Buffer.from(
        JSON.stringify({ ...task, kind: 'page', page, pages: args.messages, total: args.messages * 250 }),
      );
      const attributes = { runId, service: 'retail', endpoint: 'sales', kind: 'page', page: String(page) };
      const wait = flow.publish({ data, attributes });
      if (wait) await wait;
    }
    await flow.all();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ published: args.messages, seconds })}\n`);
  } finally {
    await pubsub.close();
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
