import type { Sink } from '@rdc/contracts';
import {
  DATA_FILE,
  PAGE_RECORD_FILE,
  pageRecordsPrefix,
  partitionFolder,
  SLICE_PAGE_RECORD_FILE,
  type RunIdentity,
} from '../bucket-layout.js';
import { landedIds, readPageRecord, type PageRecord } from './page-records.js';
import { compareIds, summarizeIds, type PageSummary } from './page-summary.js';
import { diagnose, DuplicateTally, type IntegrityReport } from './integrity-report.js';

/** Most ids the exact check holds in memory at once; a larger run is checked in several passes. */
export const MAX_IDS_PER_PASS = 500_000;
/** Page records read at once. */
const READ_AHEAD = 32;

/** One unit the checks walk: a landed page (its parts), or a data object no page record names. */
interface Unit {
  /** `page-000001`, `page-s000003-000001`, or the stray object's key. */
  stem: string;
  /** Its page record, for a landed page. */
  recordKey?: string;
  /** Its data objects, for a stray one. */
  keys?: string[];
}

/** The page records of a run in run order: (slice, page). */
async function landedPages(sink: Sink, run: RunIdentity): Promise<Unit[]> {
  const prefix = pageRecordsPrefix(run);
  const pages: { unit: Unit; slice: number; page: number }[] = [];
  for (const key of await sink.list(prefix)) {
    const name = key.slice(prefix.length);
    const plain = PAGE_RECORD_FILE.exec(name);
    const sliced = plain ? null : SLICE_PAGE_RECORD_FILE.exec(name);
    const stem = name.replace(/\.json$/, '');
    if (plain) pages.push({ unit: { stem, recordKey: key }, slice: 0, page: Number(plain[1]) });
    else if (sliced) pages.push({ unit: { stem, recordKey: key }, slice: Number(sliced[1]), page: Number(sliced[2]) });
  }
  return pages.sort((a, b) => a.slice - b.slice || a.page - b.page).map((p) => p.unit);
}

/** Page records of `units` in order, `READ_AHEAD` at a time. */
async function* pageRecords(sink: Sink, units: readonly Unit[]): AsyncGenerator<[Unit, PageRecord | undefined]> {
  for (let i = 0; i < units.length; i += READ_AHEAD) {
    const batch = units.slice(i, i + READ_AHEAD);
    const read = await Promise.all(
      batch.map((u) => (u.recordKey ? readPageRecord(sink, u.recordKey) : Promise.resolve(undefined))),
    );
    for (let j = 0; j < batch.length; j++) yield [batch[j]!, read[j]];
  }
}

/** The ids of a unit, in order, read from its data objects. */
async function idsOfUnit(sink: Sink, unit: Unit, record: PageRecord | undefined, idField: string): Promise<string[]> {
  const ids: string[] = [];
  for (const key of record ? record.parts.map((p) => p.key) : (unit.keys ?? []))
    ids.push(...((await landedIds(sink, key, idField)) ?? []));
  return ids;
}

async function summaryOf(
  sink: Sink,
  unit: Unit,
  record: PageRecord | undefined,
  idField: string,
): Promise<PageSummary> {
  if (record?.distinct !== undefined) {
    const { records, distinct, minId, maxId } = record;
    return { records, distinct, ...(minId !== undefined ? { minId } : {}), ...(maxId !== undefined ? { maxId } : {}) };
  }
  return summarizeIds(await idsOfUnit(sink, unit, record, idField));
}

interface Walk {
  records: number;
  /** Every page holds distinct ids, and the pages' id ranges follow one another strictly, one way. */
  proven: boolean;
  /** Data objects of the run's partitions that no page record names (a race of two encodings, or a stray). */
  strays: string[];
}

/**
 * One pass over the page records: sums the records, tries the O(pages) proof,
 * and collects the data objects of the run that no page record names.
 */
async function walkPages(sink: Sink, run: RunIdentity, pages: readonly Unit[], idField: string): Promise<Walk> {
  let records = 0;
  let previous: PageSummary | undefined;
  let direction = 0;
  let proven = true;
  const named = new Set<string>();
  const dates = new Set<string>();
  for await (const [unit, record] of pageRecords(sink, pages)) {
    for (const part of record?.parts ?? []) {
      named.add(part.key);
      dates.add(part.dt);
    }
    const summary = await summaryOf(sink, unit, record, idField);
    records += summary.records;
    if (!proven) continue;
    if (summary.distinct !== summary.records) proven = false;
    if (summary.minId === undefined || summary.maxId === undefined) continue;
    if (previous?.minId !== undefined && previous.maxId !== undefined) {
      const up = compareIds(previous.maxId, summary.minId) < 0;
      const down = compareIds(summary.maxId, previous.minId) < 0;
      const step = up ? 1 : down ? -1 : 0;
      if (step === 0 || (direction !== 0 && step !== direction)) proven = false;
      direction = step;
    }
    previous = summary;
  }
  const strays: string[] = [];
  for (const dt of [...dates].sort()) {
    const folder = partitionFolder(run, dt);
    for (const key of await sink.list(folder)) {
      if (DATA_FILE.test(key.slice(folder.length)) && !named.has(key)) strays.push(key);
    }
  }
  return { records, proven, strays };
}

/** FNV-1a of an id, to split the exact check into passes. */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The exact check: reads every id of every unit, in passes of at most
 * `maxIdsPerPass` ids (split by a hash of the id), and tallies every id seen twice.
 */
async function findDuplicates(
  sink: Sink,
  units: readonly Unit[],
  idField: string,
  records: number,
  tally: DuplicateTally,
  maxIdsPerPass: number,
): Promise<void> {
  const passes = Math.max(1, Math.ceil(records / maxIdsPerPass));
  for (let pass = 0; pass < passes; pass++) {
    const seen = new Map<string, { page: number; index: number; length: number }>();
    let page = 0;
    for await (const [unit, record] of pageRecords(sink, units)) {
      const ids = await idsOfUnit(sink, unit, record, idField);
      const here = page++;
      ids.forEach((id, index) => {
        if (passes > 1 && hash(id) % passes !== pass) return;
        const first = seen.get(id);
        if (!first) {
          seen.set(id, { page: here, index, length: ids.length });
          return;
        }
        tally.add({
          id,
          first: { ...first, stem: units[first.page]!.stem },
          again: { page: here, index, length: ids.length, stem: unit.stem },
        });
      });
    }
  }
}

/**
 * Checks that the landed pages of a run hold exactly `expected` records (when
 * known), each id once, and that no other data object sits in the run's
 * partitions. First from the page records (O(pages): counts, distinct ids and
 * id ranges); when those do not prove it, by reading every id (exact, in
 * bounded memory). Never reports a run with a missing or repeated record as ok.
 */
export async function checkRunIntegrity(
  sink: Sink,
  run: RunIdentity,
  idField: string,
  expected: number | undefined,
  maxIdsPerPass = MAX_IDS_PER_PASS,
): Promise<IntegrityReport> {
  const pages = await landedPages(sink, run);
  const walk = await walkPages(sink, run, pages, idField);
  const counted = expected === undefined || walk.records === expected;
  if (walk.proven && counted && walk.strays.length === 0) {
    const planned = expected !== undefined ? { expected } : {};
    const { records } = walk;
    return { ok: true, method: 'ranges', records, distinct: records, ...planned, duplicates: 0, sample: [], pages: [] };
  }
  const units: Unit[] = [...pages, ...walk.strays.map((key) => ({ stem: key, keys: [key] }))];
  let records = walk.records;
  for (const key of walk.strays) records += (await landedIds(sink, key, idField))?.length ?? 0;
  const tally = new DuplicateTally();
  await findDuplicates(sink, units, idField, records, tally, maxIdsPerPass);
  return diagnose({ runId: run.runId, records, expected, tally, strays: walk.strays });
}
