/**
 * S1 (c) push without the emulator: a load generator that plays Pub/Sub's push
 * side against the shipped push worker. It plans the run with the real planner
 * (manifest in the worker's sink, tasks collected instead of published), then
 * POSTs one push envelope per task, `concurrency` at a time over keep-alive
 * sockets, as Pub/Sub does: a 2xx acks the message; anything else, or no answer,
 * nacks it, and it is sent again after the subscription's exponential backoff,
 * with `deliveryAttempt` counting up, until `maxAttempts` (then it counts as
 * dead-lettered by Pub/Sub, i.e. lost to the run).
 *
 * argv[2]: JSON { apiBaseUrl, sink, start, end, workerUrl, concurrency, maxAttempts,
 * minBackoffMs, maxBackoffMs }. Prints one JSON line.
 */
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeTask, loadServices, taskAttributes, type Task } from '@rdc/contracts';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { planTasks } from '../support/plan-tasks.js';

interface Args {
  apiBaseUrl: string;
  sink: string;
  start: string;
  end: string;
  workerUrl: string;
  concurrency: number;
  maxAttempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

interface Message {
  id: string;
  data: string;
  attributes: Record<string, string>;
  attempt: number;
}

const SUBSCRIPTION = 'projects/rdc-bench/subscriptions/rdc-bench-push-load';

/** One POST; resolves with the status, or 0 when there was no answer. */
function post(url: URL, agent: Agent, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** The run's tasks, planned by the real planner into the worker's sink. */
async function plan(args: Args): Promise<Task[]> {
  const catalog = loadServices();
  const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: args.apiBaseUrl } });
  try {
    return await planTasks(args, { catalog, sources, sink: new FileSink(args.sink) });
  } finally {
    sources.close();
  }
}

async function run(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const tasks = await plan(args);
  const queue: Message[] = tasks.map((task, i) => ({
    id: String(i + 1),
    data: encodeTask(task).toString('base64'),
    attributes: taskAttributes(task),
    attempt: 1,
  }));
  const url = new URL('/', args.workerUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
  const statuses: Record<string, number> = {};
  let backingOff = 0;
  let acked = 0;
  let deadLettered = 0;
  let posts = 0;
  const started = Date.now();

  const deliver = async (message: Message): Promise<void> => {
    const body = JSON.stringify({
      message: {
        data: message.data,
        attributes: message.attributes,
        messageId: message.id,
        message_id: message.id,
        publishTime: new Date(started).toISOString(),
      },
      subscription: SUBSCRIPTION,
      deliveryAttempt: message.attempt,
    });
    posts++;
    const status = await post(url, agent, body);
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      acked++;
      return;
    }
    if (message.attempt >= args.maxAttempts) {
      deadLettered++;
      return;
    }
    // Nacked: redelivered after the retry policy's backoff; the slot is free meanwhile.
    const backoff = Math.min(args.maxBackoffMs, args.minBackoffMs * 2 ** (message.attempt - 1));
    backingOff++;
    void sleep(backoff).then(() => {
      backingOff--;
      queue.push({ ...message, attempt: message.attempt + 1 });
    });
  };

  const slot = async (): Promise<void> => {
    for (;;) {
      const message = queue.shift();
      if (message) await deliver(message);
      else if (backingOff > 0) await sleep(10);
      else return;
    }
  };
  try {
    await Promise.all(Array.from({ length: args.concurrency }, slot));
  } finally {
    agent.destroy();
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ tasks: tasks.length, acked, deadLettered, posts, statuses, seconds })}\n`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
