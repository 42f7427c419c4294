import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import { planKind, type RunManifest, runIdentity } from './manifest.js';
import { advanceWatermark } from './watermark.js';
import { collectDrift } from './drift-report.js';
import { StoredDrift, type Drift } from './drift.js';
import { checkLandedRun } from './seal-check.js';
import type { IntegrityReport } from './integrity-report.js';
import {
  DEAD_PAGE_FILE,
  DEAD_SLICE_FILE,
  DEAD_SLICE_PAGE_FILE,
  deadLetterPrefix,
  PAGE_RECORD_FILE,
  runFolder,
  SLICE_MARKER_FILE,
  SLICE_PAGE_RECORD_FILE,
  successKey,
} from '../bucket-layout.js';

export interface RunStatus {
  runId: string;
  service: string;
  endpoint: string;
  window: { start: string; end: string };
  /**
   * What the counts below count: `page` (one task per page; in a window split
   * under an offset cap, pages are numbered across slices in time order), or
   * `slice` (cursor pagination: one task per time slice).
   */
  unit: 'page' | 'slice';
  expectedPages: number;
  landedPages: number;
  deadLetteredPages: number[];
  /** Pages neither landed nor dead-lettered, ascending. */
  missingPages: number[];
  /** Pages of the run landed with all their parts (in a slice run, pages of every slice walked so far). */
  pageFiles: number;
  complete: boolean;
  /** `_SUCCESS` has been written. */
  succeeded: boolean;
  /** From finalizeRun: this call wrote `_SUCCESS` (of concurrent sealers, exactly one), so it reports completion. */
  sealedNow?: boolean;
  /**
   * Fields the records carry that the endpoint's schema does not declare, with
   * how many records carry each and a sample type. Filled by `finalizeRun` for a
   * sealed run (it is kept in `_SUCCESS`), and by `withDrift` on demand.
   */
  drift?: Drift;
  /**
   * When every page landed but the run is not sealed: what the check of the
   * landed records as a whole found (see state/integrity.ts). `complete` is
   * then false, so nothing is sealed and the exit code is 1.
   */
  integrity?: IntegrityReport;
}

function numbersIn(
  names: string[],
  pattern: RegExp,
  toNumber: (m: RegExpExecArray) => number | undefined,
): Set<number> {
  const out = new Set<number>();
  for (const name of names) {
    const match = pattern.exec(name);
    const n = match ? toNumber(match) : undefined;
    if (n !== undefined) out.add(n);
  }
  return out;
}

/**
 * Maps (slice, page) of a split window to the run's page number: pages are
 * numbered 1..manifest.pages across the slices in time order.
 */
function globalPage(manifest: RunManifest): (m: RegExpExecArray) => number | undefined {
  const offsets: number[] = [];
  let sum = 0;
  for (const s of manifest.slices ?? []) {
    offsets.push(sum);
    sum += s.pages;
  }
  return (m) => {
    const slice = Number(m[1]);
    const page = Number(m[2]);
    const planned = manifest.slices?.[slice - 1];
    return planned && page >= 1 && page <= planned.pages ? (offsets[slice - 1] ?? 0) + page : undefined;
  };
}

/**
 * Reads what landed from the sink itself: the objects are the source of truth.
 * A page counts when its page record is there, which is written after every
 * part of the page (task/land-page.ts).
 */
export async function runStatus(sink: Sink, manifest: RunManifest): Promise<RunStatus> {
  const run = runIdentity(manifest);
  const prefix = runFolder(run);
  const dlPrefix = deadLetterPrefix(run);
  const [keys, deadKeys] = await Promise.all([sink.list(prefix), sink.list(dlPrefix)]);
  const under = (folder: string): string[] =>
    keys.filter((k) => k.startsWith(`${prefix}${folder}`)).map((k) => k.slice(prefix.length + folder.length));
  const pageNames = under('pages/');
  const deadNames = deadKeys.map((k) => k.slice(dlPrefix.length));
  const index = (m: RegExpExecArray): number => Number(m[1]);

  let landed: Set<number>;
  let dead: Set<number>;
  if (planKind(manifest) === 'slices') {
    landed = numbersIn(under('slices/'), SLICE_MARKER_FILE, index);
    dead = numbersIn(deadNames, DEAD_SLICE_FILE, index);
  } else if (manifest.slices) {
    landed = numbersIn(pageNames, SLICE_PAGE_RECORD_FILE, globalPage(manifest));
    dead = numbersIn(deadNames, DEAD_SLICE_PAGE_FILE, globalPage(manifest));
  } else {
    landed = numbersIn(pageNames, PAGE_RECORD_FILE, index);
    dead = numbersIn(deadNames, DEAD_PAGE_FILE, index);
  }
  const missing: number[] = [];
  const deadLettered: number[] = [];
  let landedCount = 0;
  for (let n = 1; n <= manifest.pages; n++) {
    if (landed.has(n)) landedCount++;
    else if (dead.has(n)) deadLettered.push(n);
    else missing.push(n);
  }
  return {
    runId: manifest.runId,
    service: manifest.service,
    endpoint: manifest.endpoint,
    window: manifest.window,
    unit: planKind(manifest) === 'slices' ? 'slice' : 'page',
    expectedPages: manifest.pages,
    landedPages: landedCount,
    deadLetteredPages: deadLettered,
    missingPages: missing,
    pageFiles: pageNames.filter((n) => PAGE_RECORD_FILE.test(n) || SLICE_PAGE_RECORD_FILE.test(n)).length,
    complete: landedCount === manifest.pages,
    succeeded: keys.includes(successKey(run)),
  };
}

const SealedDrift = z.object({
  drift: StoredDrift.optional(),
});

/** The status with the run's schema drift so far, summed from its page records. */
export async function withDrift(sink: Sink, status: RunStatus): Promise<RunStatus> {
  if (status.drift) return status;
  return { ...status, drift: await collectDrift(sink, status) };
}

/**
 * When every page (or slice) has landed and the landed records hold exactly
 * the planned records, each id once (checkLandedRun): writes `_SUCCESS` once (a
 * precondition makes it write-once) and advances the watermark, never
 * backwards. Returns the status it saw.
 */
export async function finalizeRun(sink: Sink, manifest: RunManifest, now = new Date()): Promise<RunStatus> {
  const status = await runStatus(sink, manifest);
  if (!status.complete) return status;
  const run = runIdentity(manifest);
  let drift: Drift | undefined;
  let sealedNow = false;
  if (status.succeeded) {
    drift = SealedDrift.safeParse(JSON.parse((await sink.get(successKey(run)))?.toString('utf8') ?? '{}')).data?.drift;
  } else {
    const check = await checkLandedRun(sink, manifest);
    if (!check.integrity.ok) return { ...status, complete: false, integrity: check.integrity };
    drift = check.drift;
    const marker = {
      runId: manifest.runId,
      plan: planKind(manifest),
      ...(planKind(manifest) === 'slices' ? { slices: manifest.pages } : {}),
      pages: check.pages,
      records: check.records,
      window: manifest.window,
      plannedAt: manifest.plannedAt,
      completedAt: now.toISOString(),
      /** Fields the records carry that the schema does not declare (records are written as the API gave them). */
      drift,
    };
    const written = await sink.putIfAbsent(successKey(run), Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), {
      contentType: 'application/json',
    });
    sealedNow = written === 'created';
  }
  await advanceWatermark(sink, manifest, now);
  return { ...status, succeeded: true, sealedNow, ...(drift ? { drift } : {}) };
}
