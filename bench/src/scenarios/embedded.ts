import { rmSync } from 'node:fs';
import { RETAIL_LIMITS } from '../config.js';
import type { Figure, ScenarioName } from '../report.js';
import { childEnv, runNode } from '../support/child.js';
import type { MockProcess } from '../support/mock.js';
import { APPS } from '../support/paths.js';
import { pageFigure, type ScenarioContext, type Window } from './context.js';

export interface EmbeddedRun {
  scenario: ScenarioName;
  id: string;
  contender: string;
  mock: MockProcess;
  window: Window;
  expected: readonly string[];
  /** Extra environment, e.g. S2's `RDC_REQUESTS_PER_SECOND` to lift the client's rate limit. */
  env?: Record<string, string>;
  note?: string;
}

/**
 * The embedded fan-out exactly as `npm start` runs it: `apps/local` in its own
 * process (planner, in-process queue, worker pool, folder sink) against the mock
 * API, at the retail config's concurrency.
 */
export async function runEmbedded(ctx: ScenarioContext, run: EmbeddedRun): Promise<Figure> {
  const sink = ctx.scratch.folder(run.id.replace(/\W/g, '-'));
  await run.mock.resetStats();
  ctx.progress(`${run.scenario} ${run.contender}: [${run.window.start}, ${run.window.end})`);
  const args = ['--service', 'retail', '--endpoint', 'sales', '--start_date', run.window.start];
  args.push('--end_date', run.window.end, '--sink', `file://${sink}`);
  args.push('--concurrency', String(RETAIL_LIMITS.concurrency), '--json');
  const env = childEnv({ API_BASE_URL: run.mock.url, ...run.env });
  const result = await runNode(APPS.local, args, {
    env,
    timeoutMs: ctx.sizes.contenderTimeoutMs,
    scratch: ctx.scratch.dir,
  });
  const figure = await pageFigure({
    scenario: run.scenario,
    id: run.id,
    contender: run.contender,
    mock: run.mock,
    sink,
    expected: run.expected,
    measured: result,
    startedAt: result.startedAt,
    ...(run.note && { note: run.note }),
  });
  rmSync(sink, { recursive: true, force: true });
  return figure;
}
