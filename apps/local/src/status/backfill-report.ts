import type { Sink } from '@rdc/contracts';
import { plannedRuns, type RunManifest } from '@rdc/core';
import { readRunReport, type ReportOptions, type RunReport, type RunState } from './run-report.js';
import type { BackfillRef } from './target.js';

export interface BackfillReport {
  id: string;
  service: string;
  endpoint: string;
  window: { start: string; end: string };
  state: RunState;
  reason?: string;
  /** Its runs planned so far, in window order. */
  runs: RunReport[];
  /** The first part of the window no planned run covers yet (the planner is still at it, or stopped). */
  unplanned?: { start: string; end: string };
}

/** Between polls of `--wait`: the reports so far, when each run was last read, and how many runs one poll reads. */
export interface BackfillPoll {
  previous: Map<string, RunReport>;
  lastRead: Map<string, number>;
  round: number;
  budget: number;
}

function firstGap(ref: BackfillRef, manifests: RunManifest[]): { start: string; end: string } | undefined {
  let cursor = ref.window.start.getTime();
  for (const m of manifests) {
    if (Date.parse(m.window.start) > cursor) break;
    cursor = Math.max(cursor, Date.parse(m.window.end));
  }
  const end = ref.window.end.getTime();
  if (cursor >= end) return undefined;
  const next = manifests.find((m) => Date.parse(m.window.start) > cursor);
  return { start: new Date(cursor).toISOString(), end: next ? next.window.start : ref.window.end.toISOString() };
}

const FAILED: ReadonlySet<RunState> = new Set(['failed', 'dead-lettered', 'not-sealed-integrity']);

/**
 * The report of a backfill: each of its runs, and one state for all of them.
 * Sealed when its runs cover the window and every one is sealed; failed as
 * soon as one run failed (dead-lettered, not sealed by integrity, unreadable).
 * With `poll`, sealed runs are not read again and at most `poll.budget` others are.
 */
export async function readBackfillReport(
  sink: Sink,
  ref: BackfillRef,
  options: ReportOptions,
  poll?: BackfillPoll,
): Promise<BackfillReport> {
  const planned = await plannedRuns(sink, ref.service, ref.endpoint, ref.window);
  const manifests = planned
    .flatMap((r) => (r.manifest ? [r.manifest] : []))
    .sort((a, b) => Date.parse(a.window.start) - Date.parse(b.window.start));
  const previous = poll?.previous ?? new Map<string, RunReport>();
  const lastRead = poll?.lastRead ?? new Map<string, number>();
  const round = poll ? ++poll.round : 0;
  // Sealed runs stay sealed; of the others, those read longest ago (or never) first.
  const toRead = new Set(
    manifests
      .filter((m) => previous.get(m.runId)?.state !== 'sealed')
      .sort((a, b) => (lastRead.get(a.runId) ?? -1) - (lastRead.get(b.runId) ?? -1))
      .slice(0, poll?.budget ?? manifests.length)
      .map((m) => m.runId),
  );
  const runs: RunReport[] = [];
  for (const manifest of manifests) {
    if (toRead.has(manifest.runId)) {
      previous.set(manifest.runId, await readRunReport(sink, manifest, options));
      lastRead.set(manifest.runId, round);
    }
    const report = previous.get(manifest.runId);
    if (report) runs.push(report);
  }
  const unplanned = firstGap(ref, manifests);
  const unreadable = planned.find((r) => r.error);
  const failed = runs.find((r) => FAILED.has(r.state));
  const sealed = runs.filter((r) => r.state === 'sealed').length;
  const base = {
    id: ref.id,
    service: ref.service,
    endpoint: ref.endpoint,
    window: { start: ref.window.start.toISOString(), end: ref.window.end.toISOString() },
    runs,
    ...(unplanned ? { unplanned } : {}),
  };
  if (unreadable) return { ...base, state: 'failed', reason: `run ${unreadable.run.runId}: ${unreadable.error}` };
  if (failed)
    return { ...base, state: failed.state, reason: `run ${failed.runId} is ${failed.state}: ${failed.reason ?? ''}` };
  if (!unplanned && sealed === manifests.length) return { ...base, state: 'sealed' };
  const left = `${sealed} of ${manifests.length} runs sealed${unplanned ? `; [${unplanned.start}, ${unplanned.end}) not planned yet` : ''}`;
  return { ...base, state: runs.some((r) => r.state === 'incomplete') ? 'incomplete' : 'running', reason: left };
}
