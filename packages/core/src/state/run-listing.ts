import { z } from 'zod';
import { isRetryable, errorMessage, type Sink, type Window } from '@rdc/contracts';
import {
  backfillsPrefix,
  pageRecordKey,
  pageRecordsPrefix,
  pageStem,
  parseRunId,
  plannedRunsPrefix,
  slicePageStem,
  stateKey,
  type RunIdentity,
} from '../bucket-layout.js';
import { planKind, readManifest, runIdentity, type RunManifest } from './manifest.js';
import { readPageRecord } from './page-records.js';
import { readStateFile } from './state-files.js';
import type { RunStatus } from './completion.js';

/** Manifests read at once when an endpoint's runs are listed. */
const MANIFEST_READS = 8;

/** A run planned for an endpoint: its manifest, or why it could not be read. */
export interface PlannedRun {
  run: RunIdentity;
  manifest?: RunManifest;
  /** The manifest is there but unreadable (not JSON, not a manifest this version reads). */
  error?: string;
}

/**
 * The runs named under `prefix` + their run id + `.json` (the register of planned runs,
 * the backfill records), each with the key that names it. Keys this version does not
 * name a run by are passed over.
 */
export async function runKeysUnder(sink: Sink, prefix: string): Promise<{ key: string; run: RunIdentity }[]> {
  const out: { key: string; run: RunIdentity }[] = [];
  for (const key of await sink.list(prefix)) {
    try {
      out.push({ key, run: parseRunId(key.slice(prefix.length).replace(/\.json$/, '')) });
    } catch {
      continue; // Not a run this version names.
    }
  }
  return out;
}

/** The runs named under `prefix` (see runKeysUnder), those inside `within` when it is given. */
async function runsNamedUnder(sink: Sink, prefix: string, within?: Window): Promise<RunIdentity[]> {
  return (await runKeysUnder(sink, prefix))
    .map(({ run }) => run)
    .filter((run) => !within || (run.window.start >= within.start && run.window.end <= within.end));
}

async function inBatches<T, R>(items: T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  return out;
}

const plannedAt = (r: PlannedRun): number => (r.manifest ? Date.parse(r.manifest.plannedAt) : -Infinity);

/** Reads the manifests of `runs` and orders them the last planned first (plan time, then window end). */
async function byPlanTime(sink: Sink, runs: RunIdentity[]): Promise<PlannedRun[]> {
  const read = await inBatches(runs, MANIFEST_READS, async (run): Promise<PlannedRun | undefined> => {
    try {
      const manifest = await readManifest(sink, run);
      return manifest ? { run, manifest } : undefined;
    } catch (error) {
      if (isRetryable(error)) throw error;
      return { run, error: errorMessage(error) };
    }
  });
  return read
    .filter((r): r is PlannedRun => r !== undefined)
    .sort(
      (a, b) =>
        plannedAt(b) - plannedAt(a) ||
        b.run.window.end.getTime() - a.run.window.end.getTime() ||
        (a.run.runId < b.run.runId ? 1 : -1),
    );
}

/**
 * The runs planned for an endpoint (those `within` a window, when given), the
 * last planned first: by the plan time in each manifest, then by window end. A
 * claim without a manifest (a plan refused, or still counting) is left out.
 * One list call, then one read per run.
 */
export async function plannedRuns(
  sink: Sink,
  service: string,
  endpoint: string,
  within?: Window,
): Promise<PlannedRun[]> {
  return byPlanTime(sink, await runsNamedUnder(sink, plannedRunsPrefix(service, endpoint), within));
}

/**
 * The endpoint's recent runs, the last planned first, reading at most `maxRead`
 * manifests: of an endpoint with more runs, those with the latest windows, and
 * `also` (the run recorded as planned last, which may be a backfill far behind).
 * `total` counts every run claimed.
 */
export async function recentPlannedRuns(
  sink: Sink,
  service: string,
  endpoint: string,
  maxRead: number,
  also?: RunIdentity,
): Promise<{ runs: PlannedRun[]; total: number; read: number }> {
  const all = await runsNamedUnder(sink, plannedRunsPrefix(service, endpoint));
  const latest = [...all].sort((a, b) => b.window.end.getTime() - a.window.end.getTime()).slice(0, maxRead);
  if (also && all.some((r) => r.runId === also.runId) && !latest.some((r) => r.runId === also.runId)) latest.push(also);
  return { runs: await byPlanTime(sink, latest), total: all.length, read: latest.length };
}

/** The windows of an endpoint that were planned as consecutive runs (backfills), named as run ids. */
export function plannedBackfills(sink: Sink, service: string, endpoint: string): Promise<RunIdentity[]> {
  return runsNamedUnder(sink, backfillsPrefix(service, endpoint));
}

/** The run of an endpoint planned last: `status … latest` without reading every manifest. */
export const lastPlannedKey = (service: string, endpoint: string): string =>
  stateKey(service, endpoint, 'planned-last.json');
const LastPlanned = z.object({ runId: z.string(), plannedAt: z.iso.datetime() });

/** The run of an endpoint planned last, as the planner recorded it; undefined when none was (or it is unreadable). */
export async function readLastPlanned(sink: Sink, service: string, endpoint: string): Promise<RunIdentity | undefined> {
  try {
    const last = await readStateFile(sink, lastPlannedKey(service, endpoint), LastPlanned, '');
    return last ? parseRunId(last.runId) : undefined;
  } catch (error) {
    if (isRetryable(error)) throw error;
    return undefined; // Unreadable: the manifests say which run was planned last.
  }
}

/** Records a new run as the endpoint's run planned last (one small write per run planned). */
export async function recordLastPlanned(sink: Sink, manifest: RunManifest): Promise<void> {
  const body = { runId: manifest.runId, plannedAt: manifest.plannedAt };
  await sink.put(lastPlannedKey(manifest.service, manifest.endpoint), Buffer.from(`${JSON.stringify(body)}\n`), {
    contentType: 'application/json',
  });
}

/**
 * When the last page of a run (by page number) landed, from its page record:
 * one read. Undefined when no page landed, or for a run of cursor slices.
 */
export async function lastLandedAt(sink: Sink, manifest: RunManifest, status: RunStatus): Promise<Date | undefined> {
  if (planKind(manifest) === 'slices' || status.landedPages === 0) return undefined;
  const notLanded = new Set([...status.missingPages, ...status.deadLetteredPages]);
  let page = manifest.pages;
  while (page > 0 && notLanded.has(page)) page--;
  if (page === 0) return undefined;
  let stem = pageStem(page);
  if (manifest.slices) {
    let slice = 0;
    let rest = page;
    while (slice < manifest.slices.length && rest > (manifest.slices[slice]?.pages ?? 0))
      rest -= manifest.slices[slice++]?.pages ?? 0;
    stem = slicePageStem(slice + 1, rest);
  }
  try {
    const record = await readPageRecord(sink, pageRecordKey(runIdentity(manifest), stem));
    const at = record ? Date.parse(record.landedAt) : NaN;
    return Number.isNaN(at) ? undefined : new Date(at);
  } catch (error) {
    if (isRetryable(error)) throw error;
    return undefined;
  }
}

/** Page records a record count reads at most; a run with more landed pages reports no count until sealed. */
export const RECORDS_COUNTED_PAGES = 1000;

/**
 * Records in a run's landed pages, summed from their page records (one list
 * call, one read per page), or undefined when over RECORDS_COUNTED_PAGES pages
 * landed. A sealed run's count is in its `_SUCCESS`.
 */
export async function landedRecords(sink: Sink, manifest: RunManifest): Promise<number | undefined> {
  const keys = await sink.list(pageRecordsPrefix(runIdentity(manifest)));
  if (keys.length > RECORDS_COUNTED_PAGES) return undefined;
  const counts = await inBatches(keys, MANIFEST_READS, async (key) => (await readPageRecord(sink, key))?.records ?? 0);
  return counts.reduce((a, b) => a + b, 0);
}
