import type { Watermark } from '@rdc/core';
import type { BackfillReport } from './backfill-report.js';
import type { RunReport } from './run-report.js';

// `status --json`: one document on stdout. Field names are stable: fields are
// added, never renamed or removed; an absent value is null. The help lists them.

const watermarkJson = (w: Watermark | undefined) => (w ? { end: w.end, runId: w.runId } : null);

/** One run. */
export function runJson(r: RunReport) {
  return {
    runId: r.runId,
    service: r.service,
    endpoint: r.endpoint,
    window: r.window,
    plannedAt: r.plannedAt,
    state: r.state,
    reason: r.reason ?? null,
    unit: r.unit,
    expectedPages: r.expectedPages,
    landedPages: r.landedPages,
    deadLetteredPages: r.deadLetteredPages,
    missingPages: r.missingPages,
    pageFiles: r.pageFiles,
    records: r.records ?? null,
    complete: r.complete,
    succeeded: r.succeeded,
    deadLetterReasons: r.deadLetterReasons,
    integrity: r.integrity ?? null,
    sealError: r.sealError ?? null,
    drift: r.drift ?? null,
    lastLandedAt: r.lastLandedAt ?? null,
  };
}

interface Extra {
  watermark: Watermark | undefined;
  timedOut?: boolean;
}

/** `status <runId>` and `status <service>/<endpoint> latest`. */
export function runDocument(r: RunReport, extra: Extra & { backfill?: string }): string {
  return JSON.stringify({
    v: 1,
    kind: 'run',
    ...runJson(r),
    watermark: watermarkJson(extra.watermark),
    backfill: extra.backfill ?? null,
    timedOut: extra.timedOut ?? false,
  });
}

/** `status <service>/<endpoint>`: its runs, the last planned first. */
export function listDocument(
  service: string,
  endpoint: string,
  runs: RunReport[],
  unreadable: { runId: string; error: string }[],
  total: number,
  extra: Extra,
): string {
  return JSON.stringify({
    v: 1,
    kind: 'endpoint',
    service,
    endpoint,
    watermark: watermarkJson(extra.watermark),
    planned: total,
    runs: runs.map(runJson),
    unreadable,
  });
}

/** `status <service>/<endpoint> <backfill id>`: the window and each of its runs, in window order. */
export function backfillDocument(b: BackfillReport, extra: Extra): string {
  return JSON.stringify({
    v: 1,
    kind: 'backfill',
    runId: b.id,
    service: b.service,
    endpoint: b.endpoint,
    window: b.window,
    state: b.state,
    reason: b.reason ?? null,
    unplanned: b.unplanned ?? null,
    runs: b.runs.map(runJson),
    watermark: watermarkJson(extra.watermark),
    timedOut: extra.timedOut ?? false,
  });
}
