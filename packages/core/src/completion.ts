import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import { planKind, type RunManifest, runIdentity } from './manifest.js';
import { readStateFile } from './state-file.js';
import {
  deadLetterPrefix,
  PAGE_FILE,
  runPrefix,
  SLICE_MARKER_FILE,
  SLICE_PAGE_FILE,
  sliceMarkerKey,
  stateKey,
  successKey,
} from './naming.js';

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
  /** Page objects of the run in the sink (in a slice run, pages of every slice walked so far). */
  pageFiles: number;
  complete: boolean;
  /** `_SUCCESS` has been written. */
  succeeded: boolean;
}

const DEAD_PAGE = /^page-(\d{6,})\.json$/;
const DEAD_SLICE = /^slice-(\d{6,})\.json$/;
const DEAD_SLICE_PAGE = /^page-s(\d{6,})-(\d{6,})\.json$/;

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

/** Reads what landed from the sink itself: the objects are the source of truth. */
export async function runStatus(sink: Sink, manifest: RunManifest): Promise<RunStatus> {
  const run = runIdentity(manifest);
  const prefix = runPrefix(run);
  const dlPrefix = deadLetterPrefix(run);
  const [keys, deadKeys] = await Promise.all([sink.list(prefix), sink.list(dlPrefix)]);
  const names = keys.map((k) => k.slice(prefix.length));
  const deadNames = deadKeys.map((k) => k.slice(dlPrefix.length));
  const index = (m: RegExpExecArray): number => Number(m[1]);

  let landed: Set<number>;
  let dead: Set<number>;
  if (planKind(manifest) === 'slices') {
    landed = numbersIn(names, SLICE_MARKER_FILE, index);
    dead = numbersIn(deadNames, DEAD_SLICE, index);
  } else if (manifest.slices) {
    landed = numbersIn(names, SLICE_PAGE_FILE, globalPage(manifest));
    dead = numbersIn(deadNames, DEAD_SLICE_PAGE, globalPage(manifest));
  } else {
    landed = numbersIn(names, PAGE_FILE, index);
    dead = numbersIn(deadNames, DEAD_PAGE, index);
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
    pageFiles: names.filter((n) => PAGE_FILE.test(n) || SLICE_PAGE_FILE.test(n)).length,
    complete: landedCount === manifest.pages,
    succeeded: keys.includes(successKey(run)),
  };
}

export const Watermark = z.strictObject({
  v: z.literal(1),
  /** End of the last completed window: the next incremental run starts here. */
  end: z.iso.datetime(),
  runId: z.string(),
  updatedAt: z.iso.datetime(),
});
export type Watermark = z.infer<typeof Watermark>;

export const watermarkKey = (service: string, endpoint: string): string =>
  stateKey(service, endpoint, 'watermark.json');

export async function readWatermark(sink: Sink, service: string, endpoint: string): Promise<Watermark | undefined> {
  return readStateFile(
    sink,
    watermarkKey(service, endpoint),
    Watermark,
    'Fix or delete it, or pass --start_date explicitly.',
  );
}

const SliceCounts = z.object({ pages: z.number().int().nonnegative(), records: z.number().int().nonnegative() });

/** Pages and records of a finished run: from the manifest, or summed over the slice markers. */
async function landedCounts(sink: Sink, manifest: RunManifest): Promise<{ pages: number; records: number }> {
  if (planKind(manifest) !== 'slices') return { pages: manifest.pages, records: manifest.total };
  const run = runIdentity(manifest);
  const markers = await Promise.all(
    Array.from({ length: manifest.pages }, (_, i) => sink.get(sliceMarkerKey(run, i + 1))),
  );
  let pages = 0;
  let records = 0;
  for (const body of markers) {
    const counts = SliceCounts.parse(JSON.parse(body?.toString('utf8') ?? '{}'));
    pages += counts.pages;
    records += counts.records;
  }
  return { pages, records };
}

/**
 * Moves the watermark to the run's end. It only moves forward, and only over
 * contiguous coverage: a completed window that starts after it (an explicit later
 * --start_date) would otherwise make incremental runs skip the gap between them.
 * The sink has no compare-and-swap, so the write is read back: if a concurrent
 * writer put an older end over ours, ours is written again (a few times at most).
 */
async function advanceWatermark(sink: Sink, manifest: RunManifest, now: Date): Promise<void> {
  const key = watermarkKey(manifest.service, manifest.endpoint);
  const end = Date.parse(manifest.window.end);
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await readWatermark(sink, manifest.service, manifest.endpoint);
    if (current && Date.parse(current.end) >= end) return;
    if (current && Date.parse(manifest.window.start) > Date.parse(current.end)) return;
    const next: Watermark = { v: 1, end: manifest.window.end, runId: manifest.runId, updatedAt: now.toISOString() };
    await sink.put(key, Buffer.from(`${JSON.stringify(next)}\n`), { contentType: 'application/json' });
  }
}

/**
 * When every page (or slice) has landed: writes `_SUCCESS` once (a
 * precondition makes it write-once) and advances the watermark, never
 * backwards. Returns the status it saw.
 */
export async function finalizeRun(sink: Sink, manifest: RunManifest, now = new Date()): Promise<RunStatus> {
  const status = await runStatus(sink, manifest);
  if (!status.complete) return status;
  const run = runIdentity(manifest);
  if (!status.succeeded) {
    const counts = await landedCounts(sink, manifest);
    const marker = {
      runId: manifest.runId,
      plan: planKind(manifest),
      ...(planKind(manifest) === 'slices' ? { slices: manifest.pages } : {}),
      pages: counts.pages,
      records: counts.records,
      window: manifest.window,
      plannedAt: manifest.plannedAt,
      completedAt: now.toISOString(),
    };
    await sink.putIfAbsent(successKey(run), Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), {
      contentType: 'application/json',
    });
  }
  await advanceWatermark(sink, manifest, now);
  return { ...status, succeeded: true };
}
