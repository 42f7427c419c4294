import { z } from 'zod';
import { errorMessage, isRetryable, type Sink } from '@rdc/contracts';
import {
  deadLetterReasons,
  finalizeRun,
  landedRecords,
  lastLandedAt,
  runIdentity,
  runStatus,
  successKey,
  withDrift,
  type DeadLetterReason,
  type RunManifest,
  type RunStatus,
} from '@rdc/core';

/** What a run is, as `status` says it. Only `sealed` exits 0. */
export type RunState = 'running' | 'sealed' | 'incomplete' | 'dead-lettered' | 'not-sealed-integrity' | 'failed';

/** States a run does not leave by itself: `--wait` stops at them. */
export const SETTLED: ReadonlySet<RunState> = new Set(['sealed', 'dead-lettered', 'not-sealed-integrity', 'failed']);

/** A run's status, and why it could not be sealed when it was complete but `_SUCCESS` could not be written. */
export type StatusReport = RunStatus & { sealError?: string };

export interface RunReport extends StatusReport {
  plannedAt: string;
  state: RunState;
  /** Why the run is not sealed (absent when it is). */
  reason?: string;
  /** Records landed: from `_SUCCESS` once sealed, else summed over the page records (absent for very large runs). */
  records?: number;
  /** When its last page (by number) landed. */
  lastLandedAt?: string;
  /** Why its dead-lettered pages failed, the most common reason first. */
  deadLetterReasons: DeadLetterReason[];
}

/**
 * Reads a run's status from the sink. A run found complete is sealed on the way
 * (`_SUCCESS`, watermark), as a worker would have: a run whose last page landed
 * while its completion check failed (a lost list call) is sealed here. With
 * read-only access the status is still reported, with why it was not sealed.
 */
export async function sealedStatus(sink: Sink, manifest: RunManifest, drift = true): Promise<StatusReport> {
  const withDriftIf = (status: RunStatus) => (drift ? withDrift(sink, status) : status);
  try {
    return await withDriftIf(await finalizeRun(sink, manifest));
  } catch (error) {
    // A permanent write error (read-only folder, no write permission): the status still reads.
    if (isRetryable(error)) throw error;
    const status = await runStatus(sink, manifest);
    if (!status.complete) throw error;
    return { ...(await withDriftIf(status)), sealError: errorMessage(error) };
  }
}

const Sealed = z.object({ records: z.number().int().nonnegative() });

async function recordsOf(sink: Sink, manifest: RunManifest, status: StatusReport): Promise<number | undefined> {
  if (status.succeeded) {
    const body = await sink.get(successKey(runIdentity(manifest)));
    try {
      return Sealed.safeParse(JSON.parse(body?.toString('utf8') ?? '')).data?.records;
    } catch {
      return undefined;
    }
  }
  return status.integrity ? status.integrity.records : landedRecords(sink, manifest);
}

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

function stateOf(
  s: StatusReport,
  active: number,
  now: number,
  quietMs: number,
  top?: DeadLetterReason,
): { state: RunState; reason?: string } {
  if (s.succeeded) return { state: 'sealed' };
  if (s.sealError)
    return { state: 'failed', reason: `every ${s.unit} landed, but _SUCCESS could not be written: ${s.sealError}` };
  if (s.integrity)
    return {
      state: 'not-sealed-integrity',
      reason: `every ${s.unit} landed, but the records do not add up: ${s.integrity.explanation ?? 'see the integrity lines'}`,
    };
  const dead = s.deadLetteredPages.length;
  const why = top ? ` (${top.error}: ${top.reason})` : '';
  if (s.missingPages.length === 0 && dead > 0)
    return { state: 'dead-lettered', reason: `${plural(dead, s.unit)} dead-lettered${why}; nothing is left in flight` };
  const missing = `${plural(s.missingPages.length, s.unit)} missing${dead ? `, ${dead} dead-lettered${why}` : ''}`;
  if (now - active < quietMs)
    return { state: 'running', reason: `${missing}; the last landed ${Math.round((now - active) / 1000)} s ago` };
  return {
    state: 'incomplete',
    reason: `${missing}; nothing landed since ${new Date(active).toISOString()}, so they are likely lost: resume the run`,
  };
}

export interface ReportOptions {
  now: Date;
  quietMs: number;
  /**
   * Read what takes a read per landed page: the records of a run not sealed, and
   * its schema drift. Off while `--wait` polls, so a poll costs the same few
   * list calls whatever the run's size.
   */
  full: boolean;
}

/** The report of one run: its status (sealing it when complete), its state, records and dead-letter reasons. */
export async function readRunReport(sink: Sink, manifest: RunManifest, options: ReportOptions): Promise<RunReport> {
  const status = await sealedStatus(sink, manifest, options.full);
  const [landedAt, dead, records] = await Promise.all([
    status.succeeded ? undefined : lastLandedAt(sink, manifest, status),
    deadLetterReasons(sink, manifest, status.deadLetteredPages),
    status.succeeded || options.full ? recordsOf(sink, manifest, status) : undefined,
  ]);
  const active = Math.max(Date.parse(manifest.plannedAt), landedAt?.getTime() ?? 0);
  const { state, reason } = stateOf(status, active, options.now.getTime(), options.quietMs, dead.reasons[0]);
  return {
    ...status,
    plannedAt: manifest.plannedAt,
    state,
    ...(reason ? { reason } : {}),
    ...(records !== undefined ? { records } : {}),
    ...(landedAt ? { lastLandedAt: landedAt.toISOString() } : {}),
    deadLetterReasons: dead.reasons,
  };
}
