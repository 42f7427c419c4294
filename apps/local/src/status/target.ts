import { ConfigError, type Sink } from '@rdc/contracts';
import {
  BOOKKEEPING_ROOT,
  legacyManifestKey,
  legacyStateKey,
  parseRunId,
  plannedBackfills,
  plannedRuns,
  recentPlannedRuns,
  readLastPlanned,
  readManifest,
  type PlannedRun,
  type RunManifest,
} from '@rdc/core';
import { STATUS_DEFAULTS } from '../defaults.js';

/** What the command line asked for: an endpoint's runs, its last planned run, or one run (or backfill) by id. */
export interface StatusQuery {
  service: string;
  endpoint: string;
  /** `list`: the endpoint's runs; `latest`: its last planned run; else a run id. */
  which: 'list' | 'latest' | { runId: string };
}

/** A backfill: a window planned as consecutive runs, named by its run id. */
export interface BackfillRef {
  id: string;
  service: string;
  endpoint: string;
  window: { start: Date; end: Date };
}

export type StatusTarget =
  | {
      kind: 'list';
      service: string;
      endpoint: string;
      runs: PlannedRun[];
      /** Runs planned in all; `runs` holds those read (see recentPlannedRuns). */
      total: number;
    }
  | { kind: 'run'; manifest: RunManifest; backfill?: BackfillRef }
  | { kind: 'backfill'; backfill: BackfillRef };

/** Says that `what` was written in the layout before the `_rdc/` root, which this version does not read. */
function oldLayout(what: string, key: string, sink: Sink): ConfigError {
  return new ConfigError(
    `${what} was written by an earlier version in the old bucket layout (${sink.url}/${key}), with bookkeeping beside the data. ` +
      `This version keeps it under ${BOOKKEEPING_ROOT} and partitions data by the records' date, so it cannot tell that run's state. ` +
      'Run the window again into a new sink or prefix (--sink), or remove the old objects.',
  );
}

async function noRuns(sink: Sink, service: string, endpoint: string): Promise<ConfigError> {
  const legacy = legacyStateKey(service, endpoint, 'latest.json');
  if (await sink.exists(legacy)) return oldLayout(`The latest run of ${service}/${endpoint}`, legacy, sink);
  return new ConfigError(
    `No run of ${service}/${endpoint} has been planned in ${sink.url}. Check the service and endpoint names, and --sink (or RDC_SINK).`,
  );
}

/** The backfill a run belongs to: the recorded window planned as consecutive runs that holds it. */
async function backfillOf(sink: Sink, manifest: RunManifest): Promise<BackfillRef | undefined> {
  const start = Date.parse(manifest.window.start);
  const end = Date.parse(manifest.window.end);
  const found = (await plannedBackfills(sink, manifest.service, manifest.endpoint)).find(
    (b) => b.window.start.getTime() <= start && b.window.end.getTime() >= end,
  );
  return found && { id: found.runId, service: found.service, endpoint: found.endpoint, window: found.window };
}

/**
 * Finds what a status query names in the sink. `latest` is the run planned last
 * (by the plan time in the manifests, whatever the run ids or listing order
 * say). A run id that names no run may name a backfill. Nothing found: a
 * ConfigError (exit 2) saying what to check.
 */
export async function resolveTarget(query: StatusQuery, sink: Sink): Promise<StatusTarget> {
  const { service, endpoint, which } = query;
  if (which === 'latest') {
    // The planner records the run it planned last; a sink planned before it did is read manifest by manifest.
    const recorded = await readLastPlanned(sink, service, endpoint);
    const manifest = recorded && (await readManifest(sink, recorded));
    if (manifest) {
      const backfill = await backfillOf(sink, manifest);
      return { kind: 'run', manifest, ...(backfill ? { backfill } : {}) };
    }
  }
  if (which === 'list') {
    const recorded = await readLastPlanned(sink, service, endpoint);
    const { runs, total } = await recentPlannedRuns(sink, service, endpoint, STATUS_DEFAULTS.scanned, recorded);
    if (runs.length === 0) throw await noRuns(sink, service, endpoint);
    return { kind: 'list', service, endpoint, runs, total };
  }
  if (which === 'latest') {
    const runs = await plannedRuns(sink, service, endpoint);
    if (runs.length === 0) throw await noRuns(sink, service, endpoint);
    const last = runs.find((r) => r.manifest);
    if (!last?.manifest)
      throw new ConfigError(
        `No run of ${service}/${endpoint} in ${sink.url} has a readable manifest: ${runs[0]?.error ?? ''}`,
      );
    const backfill = await backfillOf(sink, last.manifest);
    return { kind: 'run', manifest: last.manifest, ...(backfill ? { backfill } : {}) };
  }
  const identity = parseRunId(which.runId);
  const manifest = await readManifest(sink, identity);
  if (manifest) {
    const backfill = await backfillOf(sink, manifest);
    return { kind: 'run', manifest, ...(backfill ? { backfill } : {}) };
  }
  const backfill = (await plannedBackfills(sink, service, endpoint)).find((b) => b.runId === which.runId);
  if (backfill)
    return { kind: 'backfill', backfill: { id: backfill.runId, service, endpoint, window: backfill.window } };
  if (await sink.exists(legacyManifestKey(identity)))
    throw oldLayout(`Run ${which.runId}`, legacyManifestKey(identity), sink);
  throw new ConfigError(
    `Run ${which.runId} has no manifest in ${sink.url}, and no backfill of that window was recorded. Check --sink (or RDC_SINK); \`status ${service}/${endpoint}\` lists its runs.`,
  );
}
