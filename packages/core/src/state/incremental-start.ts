import { z } from 'zod';
import { ConfigError, TransientError, type Sink, type Window } from '@rdc/contracts';
import { finalizeRun, runStatus, type RunStatus } from './completion.js';
import { readWatermark } from './watermark.js';
import { readManifest, type RunManifest } from './manifest.js';
import { parseRunId, stateKey } from '../bucket-layout.js';
import { parseInstant } from '../window.js';
import { readStateFile } from './state-files.js';

/** Pointer to the last planned run of an endpoint, for `status <service>/<endpoint> latest`. */
export const latestRunKey = (service: string, endpoint: string): string => stateKey(service, endpoint, 'latest.json');

const Latest = z.object({ runId: z.string() });

/** The latest planned run of an endpoint, if any. */
export function readLatestRun(sink: Sink, service: string, endpoint: string): Promise<{ runId: string } | undefined> {
  return readStateFile(
    sink,
    latestRunKey(service, endpoint),
    Latest,
    `Whether the latest run of ${service}/${endpoint} finished is unknown: delete it, or pass --start_date.`,
  );
}

export async function writeLatestRun(sink: Sink, manifest: RunManifest): Promise<void> {
  await sink.put(
    latestRunKey(manifest.service, manifest.endpoint),
    Buffer.from(`${JSON.stringify({ runId: manifest.runId })}\n`),
    { contentType: 'application/json' },
  );
}

/**
 * Where an incremental run starts: the watermark (end of the last completed
 * window) minus the lookback, else the endpoint's `defaultStartDate`; with
 * neither, a ConfigError that says to pass --start_date.
 */
export async function incrementalStart(
  sink: Sink,
  service: string,
  endpoint: string,
  lookbackMs: number,
  defaultStart: string | undefined,
): Promise<Date> {
  const watermark = await readWatermark(sink, service, endpoint);
  if (watermark) return new Date(Date.parse(watermark.end) - lookbackMs);
  if (defaultStart) return parseInstant(defaultStart, `defaultStartDate of ${service}/${endpoint}`);
  throw new ConfigError(
    `No --start_date given, no completed run of ${service}/${endpoint} in ${sink.url} to continue from, and no defaultStartDate in its config. Pass --start_date (e.g. --start_date 2024-07-01).`,
  );
}

export interface PendingRun {
  manifest: RunManifest;
  status: RunStatus;
}

/**
 * The endpoint's latest planned run when it is not complete. A run whose every
 * page landed but that nobody finalized (its last worker died) is finalized
 * here: `_SUCCESS` is written and the watermark advances, so it no longer
 * blocks the next window.
 */
export async function incompleteLatestRun(
  sink: Sink,
  service: string,
  endpoint: string,
  /** false for dry runs, which write nothing: the status is only read. */
  finalize = true,
  /** Called with a run that is sealed (now or before), e.g. to request its compaction. */
  onSealed?: (manifest: RunManifest) => Promise<unknown>,
): Promise<PendingRun | undefined> {
  const latest = await readLatestRun(sink, service, endpoint);
  if (!latest) return undefined;
  const manifest = await readManifest(sink, parseRunId(latest.runId));
  if (!manifest) return undefined;
  const status = finalize ? await finalizeRun(sink, manifest) : await runStatus(sink, manifest);
  if (status.complete && finalize) await onSealed?.(manifest);
  return status.complete ? undefined : { manifest, status };
}

/**
 * An incremental run (no --start_date) would overlap the endpoint's latest
 * run, which has not completed, so nothing was planned.
 *
 * The planner exits 1, not 0: nothing was done, and a scheduler must see that
 * (a stuck run never advances the watermark, so every later run would stop
 * here too). The error is transient: a retried execution checks again, and
 * once the workers finish the run it is finalized and planning goes on.
 */
export class RunInProgressError extends TransientError {
  constructor(
    readonly pending: PendingRun,
    start: Date | undefined,
  ) {
    const { manifest, status } = pending;
    const unit = status.unit;
    const state = status.integrity
      ? `every ${unit} landed, but its records do not add up (${status.integrity.explanation ?? 'see status'}), so it was not sealed. `
      : `${status.landedPages}/${status.expectedPages} ${unit}s landed, ${status.deadLetteredPages.length} dead-lettered, ${status.missingPages.length} missing. `;
    const remedy = status.integrity
      ? `Check it with \`npm run status -- ${manifest.runId}\`; once the API behaves, \`npm start -- --repair ${manifest.runId}\` (or the planner with --repair) lands its window again. `
      : `Check it with \`npm run status -- ${manifest.runId}\` and finish it with \`npm start -- --resume ${manifest.runId}\` ` +
        `(or run the planner with --start_date ${manifest.window.start} --end_date ${manifest.window.end} to publish its missing ${unit}s again). `;
    super(
      `Run ${manifest.runId} of ${manifest.service}/${manifest.endpoint} ([${manifest.window.start}, ${manifest.window.end})) is not complete: ` +
        state +
        `${start ? `A run without --start_date would start at ${start.toISOString()} and overlap it` : 'A run without --start_date would overlap it'}, so nothing was planned. ` +
        remedy +
        'Incremental runs continue from its end once it completes.',
      { runId: manifest.runId },
    );
  }
}

/** Whether the pending run overlaps a window starting at `start` (or `start` is unknown). */
export function blocks(pending: PendingRun, start: Date | undefined, planned: Window | undefined): boolean {
  if (
    planned &&
    planned.start.toISOString() === pending.manifest.window.start &&
    planned.end.toISOString() === pending.manifest.window.end
  ) {
    return false; // The same run again (a retried planner execution): carry on with it.
  }
  return start === undefined || Date.parse(pending.manifest.window.end) > start.getTime();
}
