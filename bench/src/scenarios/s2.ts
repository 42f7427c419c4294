import { DATA_END, DATA_START, PAGE_SIZE, S2_CONCURRENCY } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, lastJsonLine, runNode, type ChildResult } from '../support/child.js';
import { steadyRate } from '../support/landed.js';
import { startMock, type MockProcess } from '../support/mock.js';
import { CHILDREN } from '../support/paths.js';
import { bestOf, failedFigure, type ScenarioContext, type Window } from './context.js';
import { runEmbedded } from './embedded.js';

/** The shipped retail config, with the client's rate limit lifted for this process (concurrency kept). */
const UNLIMITED = { RDC_REQUESTS_PER_SECOND: '1000000' };

function fetchOnly(ctx: ScenarioContext, mock: MockProcess, window: Window, pages: number): Promise<ChildResult> {
  const args = { apiBaseUrl: mock.url, ...window, pages, pageSize: PAGE_SIZE, concurrency: S2_CONCURRENCY };
  return runNode(CHILDREN.fetchOnly, [JSON.stringify(args)], {
    env: childEnv({}),
    timeoutMs: ctx.sizes.contenderTimeoutMs,
    scratch: ctx.scratch.dir,
  });
}

async function ceiling(ctx: ScenarioContext, mock: MockProcess, window: Window): Promise<Figure> {
  const pages = ctx.sizes.s2.pages;
  await mock.resetStats();
  ctx.progress(`S2 fetch-only client: ${pages} pages at concurrency ${S2_CONCURRENCY}`);
  const result = await fetchOnly(ctx, mock, window, pages);
  const out = lastJsonLine<{ pages: number; times: number[] }>(result, 'the fetch-only client');
  const rate = steadyRate(out.times);
  const stats = await mock.stats();
  const last = out.times.at(-1);
  return {
    scenario: 'S2',
    id: 's2.ceiling',
    contender: 'fetch-only client (ceiling)',
    unit: 'pages',
    count: out.pages,
    ...(rate !== undefined && { rate, recordsPerSecond: rate * PAGE_SIZE }),
    ...(last !== undefined && { wallSeconds: (last - result.startedAt) / 1000 }),
    ...(result.peakRssMb !== undefined && { peakRssMb: result.peakRssMb }),
    complete: out.pages === pages && stats.byStatus[200] === pages,
    http429: stats.status429,
    requests: stats.byEndpoint.sales,
    note: 'GETs every page and reads each body to its end; parses nothing, writes nothing',
  };
}

/** S2, CPU-bound: no latency, no limit. The embedded fan-out against a client that only fetches. */
export async function runS2(ctx: ScenarioContext): Promise<Figure[]> {
  const pages = ctx.sizes.s2.pages;
  const mock = await startMock({ sales: pages * PAGE_SIZE, dataStart: DATA_START, dataEnd: DATA_END });
  const ceilings: Figure[] = [];
  const embedded: Figure[] = [];
  const contender = '(b) embedded fan-out';
  try {
    const window = { start: DATA_START, end: DATA_END };
    const expected = await mock.ids(window.start, window.end);
    const note = `RDC_REQUESTS_PER_SECOND lifts the client's rate limit; concurrency ${S2_CONCURRENCY}`;
    // A short warm-up first, so neither contender pays for the API's JIT warm-up.
    await fetchOnly(ctx, mock, window, Math.min(pages, 200));
    for (let i = 0; i < ctx.sizes.s2.repeats; i++) {
      try {
        ceilings.push(await ceiling(ctx, mock, window));
      } catch (error) {
        ceilings.push(failedFigure('S2', 's2.ceiling', 'fetch-only client (ceiling)', error));
      }
      try {
        embedded.push(
          await runEmbedded(ctx, {
            scenario: 'S2',
            id: 's2.b',
            contender,
            mock,
            window,
            expected,
            env: UNLIMITED,
            note,
          }),
        );
      } catch (error) {
        embedded.push(failedFigure('S2', 's2.b', contender, error));
      }
    }
  } finally {
    await mock.close();
  }
  const figures = [ceilings, embedded].filter((runs) => runs.length > 0).map(bestOf);
  const reference = figures.find((f) => f.id === 's2.ceiling')?.rate;
  const fanOut = figures.find((f) => f.id === 's2.b');
  if (fanOut?.rate !== undefined && reference !== undefined) {
    fanOut.reference = reference;
    fanOut.ratio = fanOut.rate / reference;
  }
  return figures;
}
