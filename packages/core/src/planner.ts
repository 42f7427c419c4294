import {
  ConfigError,
  resolveEndpoint,
  type Log,
  type PageTask,
  type ServiceCatalog,
  type Sink,
  type Source,
  type TaskPublisher,
  type Window,
} from '@rdc/contracts';
import { readWatermark, runStatus } from './completion.js';
import { readManifest, writeManifest, type RunManifest } from './manifest.js';
import { makeRunId, stateKey } from './naming.js';
import { pageCount } from './plan.js';
import { parseInstant, resolveWindow } from './window.js';

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
  /** Count and plan, publish nothing, write nothing. */
  dryRun?: boolean;
}

export interface PlannerDeps {
  catalog: ServiceCatalog;
  source: Source;
  sink: Sink;
  publisher: TaskPublisher;
  log: Log;
}

export interface PlanResult {
  manifest: RunManifest;
  /** `new`: planned now; `existing`: the manifest was there (a retried execution or a resume). */
  origin: 'new' | 'existing';
  /** Pages published now (already-landed pages of an existing run are skipped). */
  published: number[];
  landed: number;
  dryRun: boolean;
}

async function resolveStart(req: PlanRequest, deps: PlannerDeps, defaultStart: string | undefined): Promise<Date> {
  if (req.start) return req.start;
  const watermark = await readWatermark(deps.sink, req.service, req.endpoint);
  if (watermark) return new Date(Date.parse(watermark.end) - (req.lookbackMs ?? 0));
  if (defaultStart) return parseInstant(defaultStart, `defaultStartDate of ${req.service}/${req.endpoint}`);
  throw new ConfigError(
    `No --start_date given, no completed run of ${req.service}/${req.endpoint} in ${deps.sink.url} to continue from, and no defaultStartDate in its config. Pass --start_date (e.g. --start_date 2024-07-01).`,
  );
}

export function pageTasks(manifest: RunManifest, pages: Iterable<number>): Iterable<PageTask> {
  return (function* () {
    for (const page of pages) {
      yield {
        v: 1,
        kind: 'page',
        runId: manifest.runId,
        service: manifest.service,
        endpoint: manifest.endpoint,
        window: manifest.window,
        pageSize: manifest.pageSize,
        page,
        pages: manifest.pages,
        total: manifest.total,
      } satisfies PageTask;
    }
  })();
}

/**
 * Counts the window, writes the run's manifest (once) and publishes one task
 * per page not yet landed. Re-running it for the same window is harmless: the
 * run id and the object names are derived from service, endpoint and window.
 */
export async function planRun(req: PlanRequest, deps: PlannerDeps): Promise<PlanResult> {
  const { endpoint } = resolveEndpoint(deps.catalog, req.service, req.endpoint);
  const start = await resolveStart(req, deps, endpoint.defaultStartDate);
  const window: Window = resolveWindow({ start, now: req.now, granularityMs: req.endGranularityMs, ...(req.end ? { end: req.end } : {}) });
  const runId = makeRunId(req.service, req.endpoint, window);
  const log = deps.log.child({ runId, service: req.service, endpoint: req.endpoint });
  const identity = { runId, service: req.service, endpoint: req.endpoint, window };

  let manifest = await readManifest(deps.sink, identity);
  let origin: PlanResult['origin'] = 'existing';
  if (!manifest) {
    origin = 'new';
    if (!['offset', 'page'].includes(endpoint.pagination.style)) {
      throw new ConfigError(
        `${req.service}/${req.endpoint} uses ${endpoint.pagination.style} pagination, which has no total to plan pages from; time-slice planning is not available in this version.`,
      );
    }
    const pageSize = endpoint.pagination.pageSize;
    const counted = await deps.source.count(req.endpoint, window, pageSize);
    const total = counted.total ?? counted.pages * pageSize;
    const pages = counted.total !== undefined ? pageCount(counted.total, pageSize) : counted.pages;
    manifest = {
      v: 1,
      runId,
      service: req.service,
      endpoint: req.endpoint,
      window: { start: window.start.toISOString(), end: window.end.toISOString() },
      pageSize,
      total,
      pages,
      plannedAt: req.now.toISOString(),
      sink: deps.sink.url,
    };
    if (req.dryRun) return { manifest, origin, published: [], landed: 0, dryRun: true };
    manifest = await writeManifest(deps.sink, manifest);
    await deps.sink.put(latestRunKey(req.service, req.endpoint), Buffer.from(`${JSON.stringify({ runId: manifest.runId })}\n`), {
      contentType: 'application/json',
    });
  }

  const status = origin === 'existing' ? await runStatus(deps.sink, manifest) : undefined;
  const todo = status ? [...status.missingPages, ...status.deadLetteredPages].sort((a, b) => a - b) : range(manifest.pages);
  if (status) {
    log.info(`Run ${runId} was planned at ${manifest.plannedAt}; ${status.landedPages}/${manifest.pages} pages landed, publishing the other ${todo.length}`);
  } else {
    log.info(`Planned ${manifest.pages} pages of ${manifest.pageSize} for ${manifest.total} records in [${manifest.window.start}, ${manifest.window.end})`);
  }
  if (req.dryRun) return { manifest, origin, published: [], landed: status?.landedPages ?? 0, dryRun: true };

  for (const task of pageTasks(manifest, todo)) await deps.publisher.publish(task);
  await deps.publisher.flush();
  return { manifest, origin, published: todo, landed: status?.landedPages ?? 0, dryRun: false };
}

/** Pointer to the last planned run of an endpoint, for `status <service>/<endpoint> latest`. */
export const latestRunKey = (service: string, endpoint: string): string => stateKey(service, endpoint, 'latest.json');

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
