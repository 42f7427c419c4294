import { DATA_END, DATA_START, PAGE_SIZE, S2_CONCURRENCY } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, lastJsonLine, runNode, type ChildResult } from '../support/child.js';
import { steadyRate } from '../support/landed.js';
import { startMock, type MockProcess } from '../support/mock.js';
import { CHILDREN } from '../support/paths.js';
import { bestOf, failedFigure, pageFigure, type ScenarioContext, type Window } from './context.js';
import { runEmbedded } from './embedded.js';

/** The shipped retail config, with the client's rate limit lifted for this process (concurrency kept). */
const UNLIMITED = { RDC_REQUESTS_PER_SECOND: '1000000' };

function child(
  ctx: ScenarioContext,
  script: string,
  mock: MockProcess,
  window: Window,
  pages: number,
  extra: Record<string, unknown> = {},
): Promise<ChildResult> {
  const args = { apiBaseUrl: mock.url, ...window, pages, pageSize: PAGE_SIZE, concurrency: S2_CONCURRENCY, ...extra };
  return runNode(script, [JSON.stringify(args)], {
    env: childEnv({}),
    timeoutMs: ctx.sizes.contenderTimeoutMs,
    scratch: ctx.scratch.dir,
  });
}

async function fetchOnly(ctx: ScenarioContext, mock: MockProcess, window: Window): Promise<Figure> {
  const pages = ctx.sizes.s2.pages;
  await mock.resetStats();
  ctx.progress(`S2 fetch-only client: ${pages} pages at concurrency ${S2_CONCURRENCY}`);
  const result = await child(ctx, CHILDREN.fetchOnly, mock, window, pages);
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
    ...(result.cpuMs !== undefined && out.pages > 0 && { cpuMsPerUnit: result.cpuMs / out.pages }),
    complete: out.pages === pages && stats.byStatus[200] === pages,
    http429: stats.status429,
    requests: stats.byEndpoint.sales,
    note: 'GETs every page and reads each body to its end; parses nothing, writes nothing',
  };
}

async function minimal(
  ctx: ScenarioContext,
  mock: MockProcess,
  window: Window,
  expected: readonly string[],
): Promise<Figure> {
  const pages = ctx.sizes.s2.pages;
  const sink = ctx.scratch.folder('s2-minimal');
  await mock.resetStats();
  ctx.progress(`S2 minimal connector: ${pages} pages at concurrency ${S2_CONCURRENCY}`);
  const result = await child(ctx, CHILDREN.minimalConnector, mock, window, pages, { sink });
  return pageFigure({
    scenario: 'S2',
    id: 's2.minimal',
    contender: 'minimal connector (ceiling)',
    mock,
    sink,
    expected,
    measured: result,
    startedAt: result.startedAt,
    note: 'got (one instance, keep-alive), JSON.parse, one NDJSON file per page; no checks, no fsync',
  });
}

const ratio = (figure: Figure | undefined, reference: Figure | undefined): number | undefined =>
  figure?.rate !== undefined && reference?.rate !== undefined ? figure.rate / reference.rate : undefined;

/**
 * S2, CPU-bound: no latency, no limit. The embedded fan-out against two ceilings:
 * a minimal connector doing the same job without checks, and a client that only fetches.
 */
export async function runS2(ctx: ScenarioContext): Promise<Figure[]> {
  const pages = ctx.sizes.s2.pages;
  const mock = await startMock({ sales: pages * PAGE_SIZE, dataStart: DATA_START, dataEnd: DATA_END });
  const runs: Record<'ceiling' | 'minimal' | 'embedded', Figure[]> = { ceiling: [], minimal: [], embedded: [] };
  const contender = '(b) embedded fan-out';
  try {
    const window = { start: DATA_START, end: DATA_END };
    const expected = await mock.ids(window.start, window.end);
    const note = `RDC_REQUESTS_PER_SECOND lifts the client's rate limit; concurrency ${S2_CONCURRENCY}`;
    // A short warm-up first, so no contender pays for the API's JIT warm-up.
    await child(ctx, CHILDREN.fetchOnly, mock, window, Math.min(pages, 200));
    const attempt = async (into: Figure[], id: string, who: string, fn: () => Promise<Figure>): Promise<void> => {
      try {
        into.push(await fn());
      } catch (error) {
        into.push(failedFigure('S2', id, who, error));
      }
    };
    for (let i = 0; i < ctx.sizes.s2.repeats; i++) {
      await attempt(runs.ceiling, 's2.ceiling', 'fetch-only client (ceiling)', () => fetchOnly(ctx, mock, window));
      await attempt(runs.minimal, 's2.minimal', 'minimal connector (ceiling)', () =>
        minimal(ctx, mock, window, expected),
      );
      await attempt(runs.embedded, 's2.b', contender, () =>
        runEmbedded(ctx, { scenario: 'S2', id: 's2.b', contender, mock, window, expected, env: UNLIMITED, note }),
      );
    }
  } finally {
    await mock.close();
  }
  const [ceiling, least, fanOut] = [runs.ceiling, runs.minimal, runs.embedded].map((r) =>
    r.length > 0 ? bestOf(r) : undefined,
  );
  const vsCeiling = ratio(least, ceiling);
  if (least && vsCeiling !== undefined) Object.assign(least, { reference: ceiling?.rate, ratio: vsCeiling });
  const vsMinimal = ratio(fanOut, least);
  if (fanOut && vsMinimal !== undefined) Object.assign(fanOut, { reference: least?.rate, ratio: vsMinimal });
  const vsFetch = ratio(fanOut, ceiling);
  if (fanOut && vsFetch !== undefined && ceiling?.rate !== undefined) {
    fanOut.also = { against: 'fetch-only client', reference: ceiling.rate, ratio: vsFetch };
  }
  return [ceiling, least, fanOut].filter((f): f is Figure => f !== undefined);
}
