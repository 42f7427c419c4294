import { DATA_END, DATA_START, PAGE_SIZE, RETAIL_LIMITS } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, runNode } from '../support/child.js';
import { startMock, type MockProcess } from '../support/mock.js';
import { CHILDREN } from '../support/paths.js';
import { failedFigure, pageFigure, skippedFigure, windowWithPages, type ScenarioContext } from './context.js';
import { runEmbedded } from './embedded.js';
import { runPubSub } from './pubsub.js';
import { runPushLoad } from './push-load.js';

/** S1's bound in pages/s: the API's rate limit, or what the client's concurrency allows at the mean latency. */
export function s1Bound(ctx: Pick<ScenarioContext, 'sizes'>): number {
  const { rateLimit, latencyMs } = ctx.sizes.s1;
  return Math.min(rateLimit, RETAIL_LIMITS.concurrency / (latencyMs / 1000));
}

async function sequential(ctx: ScenarioContext, mock: MockProcess, expected: readonly string[]): Promise<Figure> {
  const pages = ctx.sizes.s1.sequentialPages;
  const sink = ctx.scratch.folder('s1-a');
  await mock.resetStats();
  ctx.progress(`S1 (a) sequential baseline: the first ${pages} pages`);
  const args = { apiBaseUrl: mock.url, sink, start: DATA_START, end: DATA_END, pages };
  const result = await runNode(CHILDREN.sequential, [JSON.stringify(args)], {
    env: childEnv({}),
    timeoutMs: ctx.sizes.contenderTimeoutMs,
    scratch: ctx.scratch.dir,
  });
  return pageFigure({
    scenario: 'S1',
    id: 's1.a',
    contender: '(a) sequential baseline',
    mock,
    sink,
    expected: expected.slice(0, pages * PAGE_SIZE),
    measured: result,
    startedAt: result.startedAt,
    note: `the first ${pages} pages of the same plan, one after another`,
  });
}

/**
 * S1, latency- and rate-bound: the API answers in latency ± jitter and admits
 * `rateLimit` requests/s. Sequential baseline, embedded fan-out, the push worker
 * driven by a load generator playing Pub/Sub, and the Pub/Sub path through the
 * emulator (push, which the emulator caps at 2 in flight; and pull, which it does not).
 */
export async function runS1(ctx: ScenarioContext): Promise<Figure[]> {
  const { pages, latencyMs, jitterMs, rateLimit } = ctx.sizes.s1;
  const mock = await startMock({
    sales: pages * PAGE_SIZE,
    latencyMs,
    latencyJitterMs: jitterMs,
    rateLimit,
    dataStart: DATA_START,
    dataEnd: DATA_END,
  });
  const figures: Figure[] = [];
  const attempt = async (id: string, contender: string, fn: () => Promise<Figure>): Promise<void> => {
    try {
      figures.push(await fn());
    } catch (error) {
      figures.push(failedFigure('S1', id, contender, error));
    }
  };
  try {
    const window = { start: DATA_START, end: DATA_END };
    const expected = await mock.ids(window.start, window.end);
    await attempt('s1.a', '(a) sequential baseline', () => sequential(ctx, mock, expected));
    await attempt('s1.b', '(b) embedded fan-out', () =>
      runEmbedded(ctx, { scenario: 'S1', id: 's1.b', contender: '(b) embedded fan-out', mock, window, expected }),
    );
    const loadContender = '(c) push worker, load generator';
    await attempt('s1.c-push-load', loadContender, () =>
      runPushLoad(ctx, { id: 's1.c-push-load', contender: loadContender, mock, window, expected }),
    );
    const emulator = await ctx.emulator();
    const pubsub = [
      {
        id: 's1.c-push',
        contender: '(c) push via the emulator',
        mode: 'push' as const,
        note: "the emulator's cap, not the worker's: it pushes from 2 loops per subscription, one message each, so at most 2 pages are in flight",
      },
      {
        id: 's1.c-pull',
        contender: '(c) Pub/Sub pull',
        mode: 'pull' as const,
        note: `the same worker in --mode pull: streaming pull, ${RETAIL_LIMITS.concurrency} messages leased at a time`,
      },
    ];
    for (const { id, contender, mode, note } of pubsub) {
      if ('missing' in emulator) {
        figures.push(skippedFigure('S1', id, contender, emulator.missing));
        continue;
      }
      // The emulator pushes at most 2 messages at a time per subscription: a shorter
      // run shows the push rate without stretching the chart's time axis.
      const pushPages = Math.min(pages, ctx.sizes.s1.pushPages);
      const runWindow = mode === 'push' ? await windowWithPages(mock, DATA_START, DATA_END, pushPages) : window;
      const runExpected = mode === 'push' ? await mock.ids(runWindow.start, runWindow.end) : expected;
      await attempt(id, contender, () =>
        runPubSub(ctx, { id, contender, mode, emulator, mock, window: runWindow, expected: runExpected, note }),
      );
    }
  } finally {
    await mock.close();
  }
  const bound = s1Bound(ctx);
  const base = figures.find((f) => f.id === 's1.a')?.rate;
  for (const figure of figures) {
    if (figure.rate === undefined) continue;
    figure.reference = bound;
    figure.ratio = figure.rate / bound;
    if (base !== undefined) figure.speedup = figure.rate / base;
  }
  return figures;
}
