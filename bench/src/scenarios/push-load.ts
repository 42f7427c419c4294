import { PUSH_LOAD, PUSH_SUBSCRIPTION } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, lastJsonLine, runNode, startNode, type ChildHandle } from '../support/child.js';
import type { MockProcess } from '../support/mock.js';
import { APPS, CHILDREN } from '../support/paths.js';
import { pageFigure, type ScenarioContext, type Window } from './context.js';
import { freePort } from '@rdc/contracts';
import { healthy, until } from './pubsub.js';

interface LoadResult {
  tasks: number;
  acked: number;
  deadLettered: number;
  posts: number;
  statuses: Record<string, number>;
}

/**
 * S1 (c) push, driven by the load generator instead of the emulator: the shipped
 * worker in push mode, and `children/push-load.ts` posting push envelopes to it
 * with Pub/Sub's delivery semantics. Done when every message was acked.
 */
export async function runPushLoad(
  ctx: ScenarioContext,
  run: { id: string; contender: string; mock: MockProcess; window: Window; expected: readonly string[] },
): Promise<Figure> {
  const sink = ctx.scratch.folder(run.id.replace(/\W/g, '-'));
  const port = await freePort();
  let worker: ChildHandle | undefined;
  try {
    await run.mock.resetStats();
    ctx.progress(`S1 ${run.contender}: [${run.window.start}, ${run.window.end})`);
    const startedAt = Date.now();
    worker = startNode(APPS.worker, ['--mode', 'push'], {
      env: childEnv({
        API_BASE_URL: run.mock.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        RDC_SINK: `file://${sink}`,
        RDC_PUSH_AUTH: 'off',
        RDC_ACK_DEADLINE_SECONDS: String(PUSH_SUBSCRIPTION.ackDeadlineSeconds),
      }),
      timeoutMs: ctx.sizes.contenderTimeoutMs,
      scratch: ctx.scratch.dir,
    });
    const url = `http://127.0.0.1:${port}`;
    await until(`the push worker on :${port}`, () => healthy(`${url}/healthz`), 30_000);
    const args = { apiBaseUrl: run.mock.url, sink, ...run.window, workerUrl: url, ...PUSH_LOAD };
    const load = await runNode(CHILDREN.pushLoad, [JSON.stringify(args)], {
      env: childEnv({}),
      timeoutMs: ctx.sizes.contenderTimeoutMs,
      scratch: ctx.scratch.dir,
    });
    const out = lastJsonLine<LoadResult>(load, 'the push load generator');
    const measured = await worker.stop('SIGTERM');
    worker = undefined;
    const statuses = Object.entries(out.statuses)
      .map(([status, n]) => `${n}× ${status === '0' ? 'no answer' : status}`)
      .join(', ');
    const figure = await pageFigure({
      scenario: 'S1',
      id: run.id,
      contender: run.contender,
      mock: run.mock,
      sink,
      expected: run.expected,
      measured,
      startedAt,
      note: `a load generator posts push envelopes, ${PUSH_LOAD.concurrency} in flight, each retried with backoff on non-2xx: ${out.posts} posts (${statuses}) for ${out.tasks} messages`,
    });
    if (out.acked !== out.tasks || out.deadLettered > 0) figure.complete = false;
    return figure;
  } finally {
    await worker?.stop('SIGKILL');
  }
}
