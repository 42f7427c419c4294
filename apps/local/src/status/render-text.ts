import { formatDrift, type IntegrityReport, type PlannedRun, type Watermark } from '@rdc/core';
import { STATUS_DEFAULTS } from '../defaults.js';
import type { BackfillReport } from './backfill-report.js';
import type { RunReport, RunState, StatusReport } from './run-report.js';
import type { BackfillRef } from './target.js';

/** `1-3, 7, 9-10`: ascending numbers as ranges. */
export function ranges(pages: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < pages.length;) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j]! + 1) j++;
    out.push(i === j ? String(pages[i]) : `${pages[i]}-${pages[j]}`);
    i = j + 1;
  }
  return out.length ? out.join(', ') : '-';
}

/** The integrity lines of a run whose pages all landed but whose records do not add up. */
export function formatIntegrity(report: IntegrityReport): string[] {
  const counts = [
    `${report.records} records landed, ${report.distinct} distinct ids`,
    report.expected !== undefined ? `${report.expected} planned` : undefined,
    report.missing ? `${report.missing} missing` : undefined,
    report.duplicates ? `${report.duplicates} repeated` : undefined,
  ].filter(Boolean);
  const more =
    (report.pagesInvolved ?? 0) > report.pages.length
      ? ` (and ${(report.pagesInvolved ?? 0) - report.pages.length} more)`
      : '';
  return [
    `Integrity    FAILED: ${counts.join(', ')}`,
    ...(report.pages.length ? [`Pages        ${report.pages.join(', ')}${more}`] : []),
    ...(report.strays ?? []).map((key) => `Stray object ${key}`),
    ...report.sample.map((d) => `Repeated id  ${d.id} in ${d.pages.join(' and ')}`),
    ...(report.explanation ? [`Likely cause ${report.explanation}`] : []),
    ...(report.remedy ? [`Remedy       ${report.remedy}`] : []),
  ];
}

const LABEL: Record<RunState, string> = {
  sealed: 'sealed: complete (_SUCCESS written)',
  running: 'running',
  incomplete: 'incomplete',
  'dead-lettered': 'dead-lettered: nothing left in flight',
  'not-sealed-integrity': 'NOT SEALED: every page landed, but the records do not add up',
  failed: 'failed',
};

function stateLine(s: StatusReport & { state?: RunState }): string {
  if (s.sealError) return 'complete, but not sealed (_SUCCESS could not be written)';
  if (s.state) return LABEL[s.state];
  return s.succeeded ? LABEL.sealed : s.integrity ? LABEL['not-sealed-integrity'] : 'incomplete';
}

const watermarkText = (w: Watermark | undefined): string =>
  w ? `${w.end} (run ${w.runId})` : 'none yet (no run sealed)';

/** What to do about a run in `state`, as one line. */
function remedy(r: RunReport): string | undefined {
  if (r.state === 'dead-lettered' || r.state === 'incomplete')
    return `npm start -- --resume ${r.runId} fetches its missing and dead-lettered ${r.unit}s again`;
  if (r.state === 'not-sealed-integrity')
    return `npm start -- --repair ${r.runId} lands its window again once the API behaves`;
  return undefined;
}

/** One run in detail. */
export function formatRun(s: StatusReport | RunReport, watermark?: Watermark, backfill?: BackfillRef): string {
  const r = 'state' in s ? s : undefined;
  return [
    `Run          ${s.runId}`,
    `Window       [${s.window.start}, ${s.window.end})`,
    ...(r ? [`Planned      ${r.plannedAt}`] : []),
    `State        ${stateLine(s)}`,
    `Expected     ${s.expectedPages} ${s.unit}s${s.unit === 'slice' ? ` (${s.pageFiles} page files)` : ''}`,
    `Landed       ${s.landedPages}`,
    `Dead-letter  ${s.deadLetteredPages.length}  (${ranges(s.deadLetteredPages)})`,
    `Missing      ${s.missingPages.length}  (${ranges(s.missingPages)})`,
    ...(r ? [`Records      ${r.records ?? 'not counted until sealed (too many pages to read)'}`] : []),
    ...(r ? [`Sealed       ${r.state === 'sealed' ? 'yes' : `no: ${r.reason ?? r.state}`}`] : []),
    ...(r?.deadLetterReasons ?? []).map(
      (d) =>
        `Reason       ${d.count} ${s.unit}s (${ranges(d.pages)}${d.count > d.pages.length ? ', …' : ''}): ${d.error}: ${d.reason}`,
    ),
    ...(r && remedy(r) ? [`Remedy       ${remedy(r)!}`] : []),
    `Drift        ${formatDrift(s.drift)}${s.drift && Object.keys(s.drift).length > 0 ? "  (fields the schema does not declare: add them to the endpoint's schema)" : ''}`,
    ...(s.integrity ? formatIntegrity(s.integrity) : []),
    ...(s.sealError
      ? [
          `Seal         could not seal the run (_SUCCESS, watermark): ${s.sealError} Run status again with write access.`,
        ]
      : []),
    ...(r ? [`Watermark    ${watermarkText(watermark)}`] : []),
    ...(backfill
      ? [
          `Backfill     part of ${backfill.id}: \`status ${backfill.service}/${backfill.endpoint} ${backfill.id}\` reports all its runs`,
        ]
      : []),
  ].join('\n');
}

/** One line per run: id, state, window, then pages, records and why it is not sealed. */
function runLines(r: RunReport): string[] {
  const pages = `${r.landedPages} landed, ${r.deadLetteredPages.length} dead-lettered, ${r.missingPages.length} missing of ${r.expectedPages} ${r.unit}s`;
  return [
    `${r.runId}  ${r.state}`,
    `    planned ${r.plannedAt}; [${r.window.start}, ${r.window.end}); ${r.records ?? '?'} records; ${pages}`,
    `    ${r.state === 'sealed' ? 'sealed' : `not sealed: ${r.reason ?? r.state}`}`,
  ];
}

/** An endpoint's runs, the last planned first. */
export function formatList(
  service: string,
  endpoint: string,
  sinkUrl: string,
  reports: RunReport[],
  unreadable: PlannedRun[],
  total: number,
  watermark?: Watermark,
): string {
  const shown = reports.length + unreadable.length;
  return [
    `Endpoint     ${service}/${endpoint} in ${sinkUrl}`,
    `Watermark    ${watermarkText(watermark)}`,
    `Runs         ${total} planned${shown < total ? `, ${shown} shown` : ''}, the last planned first` +
      (total > STATUS_DEFAULTS.scanned
        ? ` (of the ${STATUS_DEFAULTS.scanned} with the latest windows and the run planned last)`
        : ''),
    '',
    ...reports.flatMap(runLines),
    ...unreadable.map((u) => `${u.run.runId}  failed\n    not readable: ${u.error ?? ''}`),
  ].join('\n');
}

/** A backfill: its window, one state for all its runs, and each run on a line. */
export function formatBackfill(b: BackfillReport, watermark?: Watermark): string {
  return [
    `Backfill     ${b.id}`,
    `Window       [${b.window.start}, ${b.window.end})`,
    `State        ${b.state === 'sealed' ? 'sealed: every run of the window is sealed' : b.state}`,
    ...(b.reason ? [`Sealed       no: ${b.reason}`] : []),
    `Watermark    ${watermarkText(watermark)}`,
    `Runs         ${b.runs.length}, in window order`,
    '',
    ...b.runs.flatMap(runLines),
  ].join('\n');
}
