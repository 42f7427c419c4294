import { z } from 'zod';
import { MAX_PAGES_PER_RUN_CEILING, PermanentError, RUN_ID_PATTERN, TimeRange, type Sink } from '@rdc/contracts';
import { readStateFile } from './state-files.js';
import { manifestKey, type RunIdentity } from '../bucket-layout.js';

/** One time slice of a window split under an offset cap, with what the API counted in it. */
export const CountedSlice = z.strictObject({
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  total: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
});
export type CountedSlice = z.infer<typeof CountedSlice>;

/**
 * Written once when a run is planned; every retry and resume reads it back.
 * The plan fields are optional so manifests written before slicing existed
 * still read as page plans.
 */
export const RunManifest = z.strictObject({
  v: z.literal(1),
  runId: z.string().regex(RUN_ID_PATTERN),
  service: z.string(),
  endpoint: z.string(),
  window: TimeRange,
  pageSize: z.number().int().positive(),
  /**
   * Records in the window when planned (pages × pageSize when the API reports only pages).
   * 0 in a `slices` plan: a cursor API reports no total; the slice markers hold the counts.
   */
  total: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /**
   * Tasks of the run: pages, or time slices in a `slices` plan. Bounded, so a
   * corrupt or hand-edited manifest is refused rather than listed page by page.
   */
  pages: z.number().int().nonnegative().max(MAX_PAGES_PER_RUN_CEILING),
  plannedAt: z.iso.datetime(),
  sink: z.string(),
  /** The endpoint's id field when planned; sealing checks each id landed once. @default "id" */
  idField: z.string().min(1).optional(),
  /**
   * How the run fans out: `pages`, one task per counted page; `slices`, one task
   * per time slice of a cursor-paginated endpoint. @default "pages"
   */
  plan: z.enum(['pages', 'slices']).optional(),
  /** `slices` plan: slice size in ms (slices aligned to UTC multiples of it, see splitWindow). */
  sliceMs: z.number().int().positive().optional(),
  /**
   * `slices` plan: pages the probe estimated the whole window holds (1 when it fit on the
   * probed page); absent when the slice size was fixed. Bounds each slice's walk.
   */
  estimatedPages: z.number().positive().optional(),
  /** Number of time slices: of a `slices` plan, or of a page plan split under an offset cap. */
  sliceCount: z.number().int().nonnegative().max(MAX_PAGES_PER_RUN_CEILING).optional(),
  /** Page plan split under an offset cap: every slice in time order (slice n is `slices[n - 1]`). */
  slices: z.array(CountedSlice).max(MAX_PAGES_PER_RUN_CEILING).optional(),
});
export type RunManifest = z.infer<typeof RunManifest>;

export function runIdentity(manifest: RunManifest): RunIdentity {
  return {
    runId: manifest.runId,
    service: manifest.service,
    endpoint: manifest.endpoint,
    window: { start: new Date(manifest.window.start), end: new Date(manifest.window.end) },
  };
}

export async function readManifest(sink: Sink, run: RunIdentity): Promise<RunManifest | undefined> {
  return readStateFile(sink, manifestKey(run), RunManifest, `Remove it to re-plan run ${run.runId}.`);
}

/** Writes the manifest once; when a concurrent planner won, returns theirs. */
export async function writeManifest(sink: Sink, manifest: RunManifest): Promise<RunManifest> {
  const run = runIdentity(manifest);
  const result = await sink.putIfAbsent(manifestKey(run), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), {
    contentType: 'application/json',
  });
  if (result === 'created') return manifest;
  const existing = await readManifest(sink, run);
  if (!existing)
    throw new PermanentError(`Manifest of run ${manifest.runId} vanished while planning; re-run the planner.`);
  return existing;
}

/** `pages` or `slices`; manifests without the field are page plans. */
export const planKind = (manifest: RunManifest): 'pages' | 'slices' => manifest.plan ?? 'pages';

/** Runs whose manifest a cache keeps at most; the oldest read is dropped first. */
export const MANIFEST_CACHE_SIZE = 64;

/**
 * The manifests of one sink's runs, read once and then kept: manifests are
 * write-once. Owned by whoever works the deliveries of that sink (the task
 * processor), so what is cached is visible and dropped with its owner.
 */
export class ManifestCache {
  private readonly runs = new Map<string, RunManifest>();

  constructor(readonly sink: Sink) {}

  /** The run's manifest; `fresh` reads it again (a run re-planned after its manifest was removed). */
  async get(run: RunIdentity, fresh = false): Promise<RunManifest | undefined> {
    const hit = fresh ? undefined : this.runs.get(run.runId);
    if (hit) return hit;
    const manifest = await readManifest(this.sink, run);
    this.runs.delete(run.runId);
    if (!manifest) return undefined;
    this.runs.set(run.runId, manifest);
    if (this.runs.size > MANIFEST_CACHE_SIZE) this.runs.delete(this.runs.keys().next().value as string);
    return manifest;
  }

  /** Drops a run's manifest (the run finished, or was repaired and planned again). */
  forget(runId: string): void {
    this.runs.delete(runId);
  }

  /** Run ids whose manifest is cached, oldest first. */
  runIds(): string[] {
    return [...this.runs.keys()];
  }
}
