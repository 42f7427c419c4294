import { PermanentError, TransientError, type ErrorContext, type Sink } from '@rdc/contracts';
import { dataKey, pageRecordKey, utcDate, type RunIdentity } from '../bucket-layout.js';
import type { HandlerDeps } from './handler-deps.js';
import { writePage } from './write-page.js';
import { idsOf, summarizeIds } from '../state/page-summary.js';
import { runEncoding } from '../state/encoding.js';
import { landedIds, readPageRecord, type PageRecord } from '../state/page-records.js';

/** One date's share of a page: the records whose timestamp falls on UTC day `dt`, in page order. */
export interface DatePart {
  dt: string;
  records: Record<string, unknown>[];
}

/**
 * Splits a page's records by the UTC date of the instant in `timestampField`
 * (read by `readTime`, ISO by default), dates ascending.
 */
export function splitByDate(
  records: readonly Record<string, unknown>[],
  timestampField: string,
  readTime: (value: unknown) => number = (v) => Date.parse(String(v)),
): DatePart[] {
  const parts = new Map<string, Record<string, unknown>[]>();
  // A page's records mostly share one date: format it once per UTC day, not per record.
  let day = NaN;
  let dt = '';
  for (const record of records) {
    const ts = readTime(record[timestampField]);
    if (Number.isNaN(ts)) throw new RangeError(`Record has no parsable ${timestampField}`);
    const recordDay = Math.floor(ts / 86_400_000);
    if (recordDay !== day) {
      day = recordDay;
      dt = utcDate(ts);
    }
    const part = parts.get(dt);
    if (part) part.push(record);
    else parts.set(dt, [record]);
  }
  return [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([dt, recs]) => ({ dt, records: recs }));
}

export interface PageToLand {
  run: RunIdentity;
  /** `page-000042` or `page-s000003-000001`. */
  stem: string;
  records: readonly Record<string, unknown>[];
  timestampField: string;
  /** Reads the timestamp as an instant (the endpoint's `timestampReader`); ISO by default. */
  readTime?: (value: unknown) => number;
  idField: string;
  /** Page-level metadata (counts, window, request id), over all the page's records. */
  metadata: Record<string, string>;
  drift?: PageRecord['drift'];
  /** e.g. `run … page 3/10`, for messages. */
  where: string;
  context: ErrorContext;
}

/** The same ids in the same order. */
const sameIdsInOrder = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Writes one date's part once, in either encoding: a part that an interrupted
 * attempt wrote (with this or the other gzip setting) is kept when it holds
 * the same ids, so a redelivery completes a page without duplicating it.
 */
async function landPart(
  deps: Pick<HandlerDeps, 'sink' | 'gzip' | 'caches'>,
  page: PageToLand,
  part: DatePart,
  metadata: Record<string, string>,
): Promise<string> {
  const gzip = await runEncoding(deps.sink, page.run, deps.gzip ?? false, deps.caches?.encodings);
  const key = dataKey(page.run, part.dt, page.stem, gzip);
  const other = dataKey(page.run, part.dt, page.stem, !gzip);
  let existing: string | undefined;
  // A part in the other encoding is one a writer from before the run's encoding claim left.
  if (await deps.sink.exists(other)) existing = other;
  else if ((await writePage({ sink: deps.sink, gzip }, key, part.records, metadata)) === 'exists') existing = key;
  if (existing === undefined) return key;
  const before = await landedIds(deps.sink, existing, page.idField);
  const now = idsOf(part.records, page.idField);
  if (!before || !sameIdsInOrder(before, now)) {
    throw new PermanentError(
      `${page.where}: its ${part.dt} part ${existing} was written by an earlier, interrupted attempt with ${before?.length ?? 0} records, ` +
        `but the API now serves ${now.length} different ones for that date. The data changed between attempts, so the page would overlap or miss rows. ` +
        `Remove the page's parts (${page.stem}.ndjson* under every dt= folder of the run) and resume the run.`,
      page.context,
    );
  }
  return existing;
}

/**
 * Lands one page: one part per UTC date of its records, then its page record.
 * The record is written last and once, so a crash between parts leaves a page
 * that does not count as landed; its redelivery writes the missing parts and
 * then the record. Returns `exists` when another delivery wrote the record.
 */
export async function landPage(
  deps: Pick<HandlerDeps, 'sink' | 'gzip' | 'caches'>,
  page: PageToLand,
): Promise<{ outcome: 'created' | 'exists'; record: PageRecord }> {
  const parts = splitByDate(page.records, page.timestampField, page.readTime);
  const keys = await Promise.all(
    parts.map((part) =>
      landPart(deps, page, part, {
        ...page.metadata,
        dt: part.dt,
        partRecords: String(part.records.length),
        parts: String(parts.length),
      }),
    ),
  );
  const record: PageRecord = {
    v: 1,
    runId: page.run.runId,
    page: page.stem,
    ...summarizeIds(idsOf(page.records, page.idField)),
    parts: parts.map((part, i) => ({ dt: part.dt, key: keys[i] ?? '', records: part.records.length })),
    metadata: page.metadata,
    ...(page.drift && Object.keys(page.drift).length > 0 ? { drift: page.drift } : {}),
    landedAt: new Date().toISOString(),
  };
  const outcome = await deps.sink.putIfAbsent(
    pageRecordKey(page.run, page.stem),
    Buffer.from(`${JSON.stringify(record)}\n`),
    { contentType: 'application/json', metadata: page.metadata },
  );
  return { outcome, record };
}

/**
 * After landPage returned `exists`: the page record the other delivery landed, and
 * the parts of `mine` it does not name. Those parts hold records under dt= folders
 * the page does not count, so they would sit in the table twice; the caller fails
 * the page naming them (unnamedPartsError). A record gone by now is transient.
 */
export async function landedByAnother(
  sink: Sink,
  page: Pick<PageToLand, 'run' | 'stem' | 'where' | 'context'>,
  mine: PageRecord,
): Promise<{ stored: PageRecord; unnamed: string[] }> {
  const key = pageRecordKey(page.run, page.stem);
  const stored = await readPageRecord(sink, key);
  if (!stored) {
    throw new TransientError(
      `${page.where}: its page record ${key} was there when this delivery wrote it, and is gone now. ` +
        `Something else removes files under ${sink.url}; stop it, then retry.`,
      page.context,
    );
  }
  const named = new Set(stored.parts.map((part) => part.key));
  return { stored, unnamed: mine.parts.map((part) => part.key).filter((key) => !named.has(key)) };
}

/** The page was landed by another delivery whose page record does not name `unnamed` (see landedByAnother). */
export function unnamedPartsError(
  page: Pick<PageToLand, 'where' | 'context'>,
  stored: PageRecord,
  unnamed: string[],
  remedy: string,
): PermanentError {
  return new PermanentError(
    `${page.where}: another delivery landed this page at the same time, with parts under dt= ${stored.parts.map((part) => part.dt).join(', ')}; ` +
      `this delivery's copy also wrote ${unnamed.join(', ')}, which that page record does not name, so those records would be counted twice. ` +
      `The data changed between the two reads. ${remedy}`,
    page.context,
  );
}
