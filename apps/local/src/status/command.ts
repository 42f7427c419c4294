import type { Sink } from '@rdc/contracts';
import { readWatermark } from '@rdc/core';
import { readBackfillReport, type BackfillPoll, type BackfillReport } from './backfill-report.js';
import { STATUS_DEFAULTS } from '../defaults.js';
import { backfillDocument, listDocument, runDocument } from './render-json.js';
import { formatBackfill, formatList, formatRun, ranges } from './render-text.js';
import { readRunReport, SETTLED, type ReportOptions, type RunReport } from './run-report.js';
import { resolveTarget, type BackfillRef } from './target.js';
import type { StatusArgs } from './args.js';
import { waitUntil } from './wait.js';

export interface StatusIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** @default Date.now */
  now?: () => number;
  /** @default STATUS_DEFAULTS.pollMs */
  pollMs?: number;
}

const missingLine = (r: RunReport): string =>
  `run ${r.runId}: ${r.landedPages}/${r.expectedPages} ${r.unit}s landed, ${r.deadLetteredPages.length} dead-lettered, ` +
  `${r.missingPages.length} missing${r.missingPages.length ? ` (${ranges(r.missingPages)})` : ''}`;

function backfillLine(b: BackfillReport): string {
  const open = b.runs.find((r) => r.state !== 'sealed');
  return `backfill ${b.id}: ${b.reason ?? b.state}${open ? `; ${missingLine(open)}` : ''}`;
}

/**
 * `status`: reads what the arguments name from the sink, prints it (text or
 * one JSON document), and returns the exit code: 0 sealed, 1 anything else.
 * With `--wait`, polls until the run (or backfill) is sealed or failed.
 */
export async function statusCommand(args: StatusArgs, sink: Sink, io: StatusIo): Promise<number> {
  const now = io.now ?? Date.now;
  const options = (full: boolean): ReportOptions => ({ now: new Date(now()), quietMs: STATUS_DEFAULTS.quietMs, full });
  const target = await resolveTarget(args.query, sink);
  const { service, endpoint } = args.query;
  const wait = (timeoutMs: number) => ({
    pollMs: io.pollMs ?? STATUS_DEFAULTS.pollMs,
    timeoutMs,
    now,
    onProgress: (line: string) => io.stderr.write(`waiting: ${line}\n`),
  });
  const timedOutLine = (what: string) =>
    `Timed out after ${Math.round((args.waitMs ?? 0) / 1000)} s: ${what} is still not sealed.\n`;

  if (target.kind === 'list') {
    const readable = target.runs.filter((r) => r.manifest).slice(0, STATUS_DEFAULTS.listed);
    const reports: RunReport[] = [];
    for (const r of readable) reports.push(await readRunReport(sink, r.manifest!, options(true)));
    const unreadable = target.runs.filter((r) => r.error);
    const watermark = await readWatermark(sink, service, endpoint);
    io.stdout.write(
      args.json
        ? `${listDocument(
            service,
            endpoint,
            reports,
            unreadable.map((u) => ({ runId: u.run.runId, error: u.error ?? '' })),
            target.total,
            { watermark },
          )}\n`
        : `${formatList(service, endpoint, sink.url, reports, unreadable, target.total, watermark)}\n`,
    );
    return reports[0]?.state === 'sealed' ? 0 : 1;
  }

  const followed: BackfillRef | undefined =
    target.kind === 'backfill'
      ? target.backfill
      : args.waitMs !== undefined && args.query.which === 'latest'
        ? target.backfill
        : undefined;
  if (followed) {
    const poll: BackfillPoll = {
      previous: new Map(),
      lastRead: new Map(),
      round: 0,
      budget: STATUS_DEFAULTS.runsPerPoll,
    };
    const read = () => readBackfillReport(sink, followed, options(false), args.waitMs !== undefined ? poll : undefined);
    const { last, timedOut } =
      args.waitMs !== undefined
        ? await waitUntil(read, (b) => SETTLED.has(b.state), backfillLine, wait(args.waitMs))
        : { last: await readBackfillReport(sink, followed, options(true)), timedOut: false };
    if (timedOut) io.stderr.write(timedOutLine(backfillLine(last)));
    const watermark = await readWatermark(sink, service, endpoint);
    io.stdout.write(
      args.json ? `${backfillDocument(last, { watermark, timedOut })}\n` : `${formatBackfill(last, watermark)}\n`,
    );
    return last.state === 'sealed' ? 0 : 1;
  }

  if (target.kind !== 'run') return 1;
  const read = () => readRunReport(sink, target.manifest, options(false));
  const { last, timedOut } =
    args.waitMs !== undefined
      ? await waitUntil(read, (r) => SETTLED.has(r.state), missingLine, wait(args.waitMs))
      : { last: await readRunReport(sink, target.manifest, options(true)), timedOut: false };
  // Records and drift are read once, at the end: not on every poll.
  const report = args.waitMs !== undefined ? await readRunReport(sink, target.manifest, options(true)) : last;
  if (timedOut && report.state !== 'sealed') io.stderr.write(timedOutLine(missingLine(report)));
  const watermark = await readWatermark(sink, service, endpoint);
  io.stdout.write(
    args.json
      ? `${runDocument(report, { watermark, timedOut: timedOut && report.state !== 'sealed', ...(target.backfill ? { backfill: target.backfill.id } : {}) })}\n`
      : `${formatRun(report, watermark, target.backfill)}\n`,
  );
  return report.state === 'sealed' ? 0 : 1;
}
