import { z } from 'zod';
import { ConfigError, type Sink, type Window } from '@rdc/contracts';
import { plannedRunKey, plannedRunsPrefix, type RunIdentity } from '../bucket-layout.js';
import { runKeysUnder } from '../state/run-listing.js';
import { readStateFile } from '../state/state-files.js';

/**
 * The window asked for overlaps a run already planned for the endpoint, so its
 * records would land twice. A ConfigError: the CLIs exit 2.
 */
export class OverlapError extends ConfigError {
  constructor(
    readonly window: Window,
    readonly overlapping: RunIdentity[],
  ) {
    const names = overlapping
      .map((r) => `${r.runId} ([${r.window.start.toISOString()}, ${r.window.end.toISOString()}))`)
      .join(', ');
    super(
      `The window [${window.start.toISOString()}, ${window.end.toISOString()}) overlaps ${overlapping.length === 1 ? 'run' : 'runs'} ${names}, already planned for this endpoint; ` +
        'the records of the overlap would land twice, so nothing was planned. Choose a window that starts at the end of the other run ' +
        '(`npm run status -- <runId>` shows its window), repair a bad run with --repair <runId>, or pass --allow-overlap to land the overlap twice on purpose.',
    );
    this.name = 'OverlapError';
  }
}

const Entry = z.object({ runId: z.string(), withdrawn: z.boolean().optional() });

function entryBody(runId: string, window: Window, withdrawn = false): Buffer {
  const body = {
    runId,
    window: { start: window.start.toISOString(), end: window.end.toISOString() },
    ...(withdrawn ? { withdrawn } : {}),
  };
  return Buffer.from(`${JSON.stringify(body)}\n`);
}

/**
 * Runs planned for the endpoint whose window overlaps `window`, other than the
 * run of `window` itself (a retried plan of the same window is that run again).
 * An overlap that lies inside `margin` (the `--lookback` re-read) is allowed.
 */
export async function overlappingRuns(
  sink: Sink,
  service: string,
  endpoint: string,
  window: Window,
  margin?: Window,
): Promise<RunIdentity[]> {
  const out: RunIdentity[] = [];
  for (const { key, run } of await runKeysUnder(sink, plannedRunsPrefix(service, endpoint))) {
    const from = Math.max(run.window.start.getTime(), window.start.getTime());
    const to = Math.min(run.window.end.getTime(), window.end.getTime());
    const same =
      run.window.start.getTime() === window.start.getTime() && run.window.end.getTime() === window.end.getTime();
    if (same || from >= to) continue;
    if (margin && from >= margin.start.getTime() && to <= margin.end.getTime()) continue;
    const entry = await readStateFile(sink, key, Entry, `Remove ${key} if run ${run.runId} was never planned.`);
    if (entry && !entry.withdrawn) out.push(run);
  }
  return out;
}

export interface ClaimOptions {
  /** Register without checking (`--allow-overlap`). */
  allowOverlap?: boolean;
  /** An overlap inside this window is allowed (the lookback margin). */
  margin?: Window | undefined;
  /** Check only; write nothing. */
  dryRun?: boolean;
}

/**
 * Registers a new run's window, then checks that no other planned run
 * overlaps it; on an overlap it withdraws its entry and throws OverlapError.
 * Registering before checking makes the check safe between planners racing:
 * whichever registers second sees the first (both may refuse; neither lands twice).
 */
export async function claimWindow(sink: Sink, run: RunIdentity, options: ClaimOptions = {}): Promise<void> {
  const key = plannedRunKey(run);
  if (!options.dryRun && (await sink.putIfAbsent(key, entryBody(run.runId, run.window))) === 'exists') {
    const entry = await readStateFile(sink, key, Entry, `Remove ${key} and plan again.`);
    if (entry?.withdrawn) await sink.put(key, entryBody(run.runId, run.window));
  }
  if (options.allowOverlap) return;
  const overlapping = await overlappingRuns(sink, run.service, run.endpoint, run.window, options.margin);
  if (overlapping.length === 0) return;
  if (!options.dryRun) await sink.put(key, entryBody(run.runId, run.window, true));
  throw new OverlapError(run.window, overlapping);
}
