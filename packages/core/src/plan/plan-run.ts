import {
  bigQuerySchema,
  ConfigError,
  resolveEndpoint,
  type Log,
  type RecordSchemaSpec,
  type ServiceCatalog,
  type Sink,
  type Source,
  type TaskPublisher,
  type Window,
} from '@rdc/contracts';
import { runStatus } from '../state/completion.js';
import { readWatermark } from '../state/watermark.js';
import {
  blocks,
  incompleteLatestRun,
  incrementalStart,
  RunInProgressError,
  writeLatestRun,
  type PendingRun,
} from '../state/incremental-start.js';
import { readManifest, writeManifest, type RunManifest } from '../state/manifest.js';
import { makeRunId, schemaKey } from '../bucket-layout.js';
import { buildManifest } from './counting.js';
import { tasksFor } from './tasks.js';
import { claimWindow } from './overlap.js';
import { recordLastPlanned } from '../state/run-listing.js';
import { formatDuration, resolveWindow, truncate } from '../window.js';

export interface PlanRequest {
  service: string;
  endpoint: string;
  /** Explicit start; without it the run starts at the watermark (minus lookback) or the config default. */
  start?: Date;
  end?: Date;
  /** Planning time. */
  now: Date;
  /** The default end (now) is truncated to this, so a retried execution maps to the same run. */
  endGranularityMs: number;
  /** Re-read this much before the watermark (late-arriving records). @default 0 */
  lookbackMs?: number;
  /** Cursor styles: time-slice size in ms (`--slice`). @default the endpoint's `slice`, else 1 day */
  sliceMs?: number;
  /** Cursor styles: worker slots the adaptive slices should keep busy. @default DEFAULT_FAN_OUT */
  fanOut?: number;
  /**
   * Without `start`, when the endpoint's latest run is incomplete and the new
   * window would overlap it: `fail` throws RunInProgressError; `resume` works
   * that run instead (the local runner). @default "fail"
   */
  ifLatestIncomplete?: 'fail' | 'resume';
  /** Only continue a run that has a manifest (`--resume`): otherwise a ConfigError, and nothing is written. */
  resumeOnly?: boolean;
  /** Count and plan, publish nothing, write nothing. */
  dryRun?: boolean;
  /**
   * Plan a window that overlaps a run already planned for the endpoint (the
   * overlap lands twice). Without it such a plan throws OverlapError. The
   * `lookbackMs` margin of an incremental run is always allowed. @default false
   */
  allowOverlap?: boolean;
}

export interface PlannerDeps {
  catalog: ServiceCatalog;
  source: Source;
  sink: Sink;
  publisher: TaskPublisher;
  log: Log;
  /** Called with the endpoint's latest run when planning finds it sealed (or seals it), e.g. to request its compaction. */
  onSealed?: (manifest: RunManifest) => Promise<unknown>;
}

export interface PlanResult {
  manifest: RunManifest;
  /** `new`: planned now; `existing`: the manifest was there (a retried execution or a resume). */
  origin: 'new' | 'existing';
  /** Pages (or, in a slice plan, slices) published now; already-landed ones of an existing run are skipped. */
  published: number;
  landed: number;
  dryRun: boolean;
  /** The latest run was incomplete, so it was resumed instead of planning a new window. */
  resumedLatest: boolean;
}

/** The window of an incremental run, or the pending run to resume instead (`resume` policy). */
async function incrementalWindow(
  req: PlanRequest,
  deps: PlannerDeps,
  defaultStart: string | undefined,
): Promise<{ window: Window; resumed?: PendingRun }> {
  const pending = await incompleteLatestRun(deps.sink, req.service, req.endpoint, !req.dryRun, deps.onSealed);
  let start: Date | undefined;
  let window: Window | undefined;
  let failure: unknown;
  try {
    start = await incrementalStart(deps.sink, req.service, req.endpoint, req.lookbackMs ?? 0, defaultStart);
    const end = req.end ?? truncate(req.now, req.endGranularityMs);
    if (!pending && start.getTime() >= end.getTime()) throw new UpToDate(req.service, req.endpoint, start);
    window = resolveWindow({
      start,
      now: req.now,
      granularityMs: req.endGranularityMs,
      ...(req.end ? { end: req.end } : {}),
    });
  } catch (error) {
    // With an incomplete run pending, say that rather than "pass --start_date".
    if (!pending) throw error;
    failure = error;
  }
  if (pending && blocks(pending, start, window)) {
    if (req.ifLatestIncomplete !== 'resume') throw new RunInProgressError(pending, start);
    const w = pending.manifest.window;
    return { window: { start: new Date(w.start), end: new Date(w.end) }, resumed: pending };
  }
  if (!window) throw failure;
  return { window };
}

/**
 * An incremental run found nothing new to plan: the watermark is already at the
 * (truncated) end. Not a failure: the CLIs say so and exit 0.
 */
export class UpToDate extends Error {
  constructor(
    readonly service: string,
    readonly endpoint: string,
    readonly watermark: Date,
  ) {
    super(
      `${service}/${endpoint} is up to date: the last completed run ends at ${watermark.toISOString()}, and the next window has not begun. Nothing to plan.`,
    );
    this.name = 'UpToDate';
  }
}

/**
 * Counts the window (or, for cursor pagination, cuts it into time slices),
 * writes the run's manifest (once) and publishes one task per page or slice not
 * yet landed. Re-running it for the same window is harmless: the run id and the
 * object names are derived from service, endpoint and window.
 */
export async function planRun(req: PlanRequest, deps: PlannerDeps): Promise<PlanResult> {
  const { service, endpoint } = resolveEndpoint(deps.catalog, req.service, req.endpoint);
  let window: Window;
  let resumed: PendingRun | undefined;
  if (req.start) {
    window = resolveWindow({
      start: req.start,
      now: req.now,
      granularityMs: req.endGranularityMs,
      ...(req.end ? { end: req.end } : {}),
    });
  } else {
    ({ window, resumed } = await incrementalWindow(req, deps, endpoint.defaultStartDate));
  }
  const runId = makeRunId(req.service, req.endpoint, window);
  const log = deps.log.child({ runId, service: req.service, endpoint: req.endpoint });
  if (resumed) {
    log.info(
      `The latest run ${runId} is not complete (${resumed.status.landedPages}/${resumed.status.expectedPages} ${resumed.status.unit}s landed); resuming it instead of planning a new window. Run again afterwards for the next window.`,
    );
  }
  const identity = { runId, service: req.service, endpoint: req.endpoint, window };

  let manifest = await readManifest(deps.sink, identity);
  let origin: PlanResult['origin'] = 'existing';
  if (manifest) refuseOtherSlice(manifest, req.sliceMs);
  if (!manifest) {
    if (req.resumeOnly) {
      throw new ConfigError(
        `Run ${runId} has no manifest in ${deps.sink.url}; there is nothing to resume. Check --sink.`,
      );
    }
    const margin = req.start
      ? undefined
      : { start: window.start, end: new Date(window.start.getTime() + (req.lookbackMs ?? 0)) };
    const claim = { margin, allowOverlap: req.allowOverlap === true };
    // Refuse an overlap before asking the API anything; the claim itself comes once the count succeeded.
    await claimWindow(deps.sink, identity, { ...claim, dryRun: true });
    origin = 'new';
    manifest = await buildManifest(
      {
        runId,
        service: req.service,
        endpoint: req.endpoint,
        config: endpoint,
        window,
        sliceMs: req.sliceMs,
        fanOut: req.fanOut,
        plannedAt: req.now,
        sinkUrl: deps.sink.url,
        maxPages: service.limits.maxPagesPerRun,
      },
      deps.source,
      log,
    );
    // The claim on the window is the run's first write: a plan refused by its count writes nothing.
    await claimWindow(deps.sink, identity, { ...claim, dryRun: req.dryRun === true });
    if (req.dryRun) return { manifest, origin, published: 0, landed: 0, dryRun: true, resumedLatest: false };
    manifest = await writeManifest(deps.sink, manifest);
    await recordLastPlanned(deps.sink, manifest);
    // A backfill behind the watermark does not become "the latest run" the
    // incremental guard looks at (`status … latest` reads the run planned last).
    const watermark = await readWatermark(deps.sink, req.service, req.endpoint);
    if (!watermark || Date.parse(manifest.window.end) > Date.parse(watermark.end))
      await writeLatestRun(deps.sink, manifest);
  }

  // The BigQuery schema of the run's records, beside the manifest (once; a re-plan after a crash completes it).
  if (!req.dryRun) await writeRunSchema(deps.sink, identity, endpoint.schema);
  const status = origin === 'existing' ? await runStatus(deps.sink, manifest) : undefined;
  const unit = manifest.plan === 'slices' ? 'slice' : 'page';
  // Page numbers are generated as they are published: no array of every page.
  const todo = status ? merged(status.missingPages, status.deadLetteredPages) : range(manifest.pages);
  const todoCount = status ? status.missingPages.length + status.deadLetteredPages.length : manifest.pages;
  if (status) {
    log.info(
      `Run ${runId} was planned at ${manifest.plannedAt}; ${status.landedPages}/${manifest.pages} ${unit}s landed, publishing the other ${todoCount}`,
    );
  } else if (manifest.plan === 'slices') {
    log.info(
      `Planned ${manifest.pages} time slices of ${formatDuration(manifest.sliceMs ?? 0)} over [${manifest.window.start}, ${manifest.window.end}) (cursor pagination has no total to plan pages from)`,
    );
  } else {
    const split = manifest.slices ? ` in ${manifest.slices.length} time slices` : '';
    log.info(
      `Planned ${manifest.pages} pages of ${manifest.pageSize}${split} for ${manifest.total} records in [${manifest.window.start}, ${manifest.window.end})`,
    );
  }
  const landed = status?.landedPages ?? 0;
  const resumedLatest = resumed !== undefined;
  if (req.dryRun) return { manifest, origin, published: 0, landed, dryRun: true, resumedLatest };

  let published = 0;
  for (const task of tasksFor(manifest, todo)) {
    await deps.publisher.publish(task);
    published++;
  }
  await deps.publisher.flush();
  return { manifest, origin, published, landed, dryRun: false, resumedLatest };
}

function* range(n: number): Generator<number> {
  for (let i = 1; i <= n; i++) yield i;
}

/** The numbers of two ascending lists, in ascending order. */
function* merged(a: readonly number[], b: readonly number[]): Generator<number> {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x <= y)) {
      yield x as number;
      i++;
    } else {
      yield y;
      j++;
    }
  }
}

function writeRunSchema(sink: Sink, run: Parameters<typeof schemaKey>[0], spec: RecordSchemaSpec): Promise<unknown> {
  const body = Buffer.from(`${JSON.stringify(bigQuerySchema(spec), null, 2)}\n`);
  return sink.putIfAbsent(schemaKey(run), body, { contentType: 'application/json' });
}

/**
 * A planned run keeps its slices: its tasks, object names and markers are cut
 * by them. A different `--slice` for it is refused rather than ignored.
 */
function refuseOtherSlice(manifest: RunManifest, sliceMs: number | undefined): void {
  if (sliceMs === undefined || manifest.plan !== 'slices' || manifest.sliceMs === sliceMs) return;
  throw new ConfigError(
    `Run ${manifest.runId} was planned with slices of ${formatDuration(manifest.sliceMs ?? 0)}; --slice ${formatDuration(sliceMs)} ` +
      `cannot re-cut it, since its landed pages are named by those slices. Resume it without --slice, or plan a different window.`,
  );
}
