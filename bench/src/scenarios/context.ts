import type { BenchSizes } from '../config.js';
import { PAGE_SIZE } from '../config.js';
import type { Figure, ScenarioName } from '../report.js';
import type { ChildResult } from '../support/child.js';
import type { Emulator } from '../support/emulator.js';
import { checkIds, readLanded, steadyRate } from '../support/landed.js';
import type { MockProcess } from '../support/mock.js';
import type { Scratch } from '../support/temp.js';

/** What every scenario gets from the run. */
export interface ScenarioContext {
  sizes: BenchSizes;
  scratch: Scratch;
  /** The emulator, or why there is none (S1 (c) and S3 are then skipped). */
  emulator: () => Promise<Emulator | { missing: string }>;
  /** Progress lines (stderr). */
  progress(line: string): void;
}

export interface Window {
  start: string;
  end: string;
}

/** A window starting at `start` that holds `pages` pages (the most records ≤ pages × 250), found by bisection. */
export async function windowWithPages(mock: MockProcess, start: string, end: string, pages: number): Promise<Window> {
  const want = pages * PAGE_SIZE;
  if ((await mock.count(start, end)) <= want) return { start, end };
  let lo = Date.parse(start) / 1000;
  let hi = Date.parse(end) / 1000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await mock.count(start, new Date(mid * 1000).toISOString())) <= want) lo = mid;
    else hi = mid;
  }
  return { start, end: new Date(lo * 1000).toISOString() };
}

/** At most `max` points of a timeline: every k-th, and always the last. */
function thin(points: [number, number][], max = 400): [number, number][] {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const kept = points.filter((_, i) => i % step === 0);
  const last = points.at(-1);
  if (last && kept.at(-1) !== last) kept.push(last);
  return kept;
}

export interface PageRunInput {
  scenario: ScenarioName;
  id: string;
  contender: string;
  mock: MockProcess;
  sink: string;
  expected: readonly string[];
  /** The process whose peak RSS counts (the worker, for the Pub/Sub path). */
  measured: ChildResult;
  /** When the contender's first process was spawned. */
  startedAt: number;
  note?: string;
}

/** Reads what a page contender landed and turns it into a figure (completeness from ids). */
export async function pageFigure(input: PageRunInput): Promise<Figure> {
  const landed = readLanded(input.sink);
  const completeness = checkIds(landed, input.expected);
  const stats = await input.mock.stats();
  const rate = steadyRate(landed.times);
  const first = landed.times[0];
  const last = landed.times.at(-1);
  const records = completeness.landed;
  const figure: Figure = {
    scenario: input.scenario,
    id: input.id,
    contender: input.contender,
    unit: 'pages',
    count: landed.pages,
    ...(rate !== undefined && { rate, recordsPerSecond: rate * (records / Math.max(1, landed.pages)) }),
    ...(last !== undefined && { wallSeconds: (last - input.startedAt) / 1000 }),
    ...(input.measured.peakRssMb !== undefined && { peakRssMb: input.measured.peakRssMb }),
    ...(input.measured.cpuMs !== undefined &&
      landed.pages > 0 && { cpuMsPerUnit: input.measured.cpuMs / landed.pages }),
    complete: completeness.complete,
    completeness,
    http429: stats.status429,
    requests: stats.byEndpoint.sales,
    ...(first !== undefined && {
      timeline: thin(landed.times.map((t, i): [number, number] => [(t - first) / 1000, i + 1])),
    }),
    ...(input.note && { note: input.note }),
  };
  if (input.measured.timedOut) figure.error = 'timed out';
  else if (input.measured.code !== 0 && input.measured.code !== null) {
    figure.error = `exited with ${input.measured.code}: ${input.measured.stderrTail.slice(-500)}`;
  }
  return figure;
}

/**
 * The best of repeated runs of one contender: the fastest, unless a run was
 * incomplete or failed (then that one, so it is never hidden). Peak RSS is the
 * highest of all runs.
 */
export function bestOf(runs: Figure[]): Figure {
  const bad = runs.find((f) => !f.complete || f.error);
  const best = bad ?? runs.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
  if (runs.length < 2) return best;
  const rss = runs.map((f) => f.peakRssMb).filter((v): v is number => v !== undefined);
  const rates = runs.map((f) => (f.rate === undefined ? '-' : Math.round(f.rate).toLocaleString('en-US'))).join(', ');
  return {
    ...best,
    ...(rss.length > 0 && { peakRssMb: Math.max(...rss) }),
    note: [best.note, `best of ${runs.length} runs (${rates}/s); peak RSS is the highest`].filter(Boolean).join('; '),
  };
}

/** A figure for a contender that could not run. */
export function failedFigure(scenario: ScenarioName, id: string, contender: string, error: unknown): Figure {
  const message = error instanceof Error ? error.message : String(error);
  return { scenario, id, contender, unit: 'pages', count: 0, complete: false, error: message };
}

export function skippedFigure(scenario: ScenarioName, id: string, contender: string, why: string): Figure {
  return { scenario, id, contender, unit: 'pages', count: 0, complete: false, skipped: why };
}
