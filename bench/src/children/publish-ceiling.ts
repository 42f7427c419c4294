/**
 * The S3 and S4 ceiling: a bare loop of flow-controlled `publishMessage` through
 * @google-cloud/pubsub, with the publisher's batching and flow-control settings and
 * messages of the same size and attributes as the planner's tasks; confirmations
 * are taken once per batch and awaited at the end.
 *
 * argv[2]: JSON { projectId, emulatorHost, topic, records, start, end }: one message per page of 250. Prints one JSON line.
 */
import { createPubSub, PUBSUB_BATCHING_DEFAULTS, PUBSUB_FLOW_CONTROL_DEFAULTS } from '@rdc/queues';
import { PAGE_SIZE } from '../config.js';

interface Args {
  projectId: string;
  emulatorHost: string;
  topic: string;
  records: number;
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
    const stamp = (iso: string): string => `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
    const runId = `retail.sales.${stamp(args.start)}-${stamp(args.end)}`;
    const messages = Math.ceil(args.records / PAGE_SIZE);
    const window = { start: args.start, end: args.end };
    const started = performance.now();
    const flow = topic.flowControlled();
    // all() takes the confirmations collected so far: taking them once per batch
    // keeps the loop from holding one promise per message until the end.
    const confirmations: Promise<void>[] = [];
    let failure: Error | undefined;
    const take = (): void => {
      confirmations.push(
        flow.all().then(
          () => undefined,
          (error: unknown) => void (failure ??= error instanceof Error ? error : new Error(JSON.stringify(error))),
        ),
      );
    };
    for (let page = 1; page <= messages; page++) {
      const task = { v: 1, runId, service: 'retail', endpoint: 'sales', window, pageSize: PAGE_SIZE };
      const data = Buffer.from(JSON.stringify({ ...task, kind: 'page', page, pages: messages, total: args.records }));
      const attributes = { runId, service: 'retail', endpoint: 'sales', kind: 'page', page: String(page) };
      const wait = flow.publish({ data, attributes });
      if (wait) await wait;
      if (page % PUBSUB_BATCHING_DEFAULTS.maxMessages === 0) take();
    }
    take();
    await Promise.all(confirmations);
    if (failure) throw failure;
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ published: messages, seconds })}\n`);
  } finally {
    await pubsub.close();
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
