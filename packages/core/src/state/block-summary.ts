import { z } from 'zod';
import { PermanentError, type Sink } from '@rdc/contracts';
import { BLOCK_FANOUT, blockPlan, markerKey, markerLevels } from './block-plan.js';
import { emptyDrift, mergeDrift, StoredDrift } from './drift.js';
import { runIdentity, type RunManifest } from './manifest.js';
import { readStateFile } from './state-files.js';
import { pageRecordKey, sliceMarkerKey, slicePageStem } from '../bucket-layout.js';
import { landedPageIds, readPageRecord, type PageRecord } from './page-records.js';
import { namesDigest, xorDigests } from './object-names.js';
import { compareIds, summarizeIds } from './page-summary.js';

/** Page records read at once while a block is summarized. */
const READS_IN_FLIGHT = 16;

const IdRange = z.object({ minId: z.string(), maxId: z.string() });

/**
 * The O(pages) proof of integrity.ts, for a run of pages in run order: every
 * page holds distinct ids, and the id ranges of consecutive pages (empty pages
 * skipped) follow one another strictly, in one direction. `first` and `last`:
 * the ranges of the first and last page with ids, so two proofs chain.
 */
const Proof = z.object({
  ok: z.boolean(),
  direction: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
  first: IdRange.optional(),
  last: IdRange.optional(),
});
type Proof = z.infer<typeof Proof>;

/**
 * What a block marker (`blocks/L<n>/b-…`) holds about the pages under it, so
 * sealing combines markers instead of reading every page record: pages,
 * records, the ranges proof, data objects per dt= partition (to find objects
 * no page names) and the schema drift. Computed once, when the block is whole;
 * pages and markers are write-once, so it never goes stale.
 */
export const BlockSummary = z.object({
  v: z.literal(2),
  pages: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  proof: Proof,
  /**
   * Data objects the block's page records name, per dt= partition, ascending by dt:
   * how many, and the digest of their keys (namesDigest; absent in summaries written
   * before it was kept, and then sealing reads every id).
   */
  objects: z.array(
    z.object({
      dt: z.string(),
      count: z.number().int().positive(),
      names: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
    }),
  ),
  drift: StoredDrift,
  /** Plan of cursor slices: pages and records the block's slice markers say their walks landed. */
  walked: z.object({ pages: z.number().int().nonnegative(), records: z.number().int().nonnegative() }).optional(),
});
export type BlockSummary = z.infer<typeof BlockSummary>;

const EMPTY: BlockSummary = { v: 2, pages: 0, records: 0, proof: { ok: true, direction: 0 }, objects: [], drift: {} };

function chain(a: Proof, b: Proof): Proof {
  if (!a.ok || !b.ok) return { ok: false, direction: 0 };
  if (!a.last) return b;
  if (!b.first) return a;
  const up = compareIds(a.last.maxId, b.first.minId) < 0;
  const down = compareIds(b.first.maxId, a.last.minId) < 0;
  const step = up ? 1 : down ? -1 : 0;
  if (step === 0 || (a.direction !== 0 && a.direction !== step) || (b.direction !== 0 && b.direction !== step))
    return { ok: false, direction: 0 };
  return { ok: true, direction: step, ...(a.first ? { first: a.first } : {}), last: b.last };
}

type ObjectCount = BlockSummary['objects'][number];

/** The objects of one dt= partition named in two disjoint runs of pages. */
function addObjects(a: ObjectCount, b: ObjectCount): ObjectCount {
  const count = a.count + b.count;
  return a.names !== undefined && b.names !== undefined
    ? { dt: a.dt, count, names: xorDigests(a.names, b.names) }
    : { dt: a.dt, count };
}

/** The summary of `a`'s pages followed by `b`'s, in run order. */
export function combineSummaries(a: BlockSummary, b: BlockSummary): BlockSummary {
  const objects = new Map<string, ObjectCount>();
  for (const entry of [...a.objects, ...b.objects]) {
    const seen = objects.get(entry.dt);
    objects.set(entry.dt, seen ? addObjects(seen, entry) : entry);
  }
  return {
    v: 2,
    pages: a.pages + b.pages,
    records: a.records + b.records,
    proof: chain(a.proof, b.proof),
    objects: [...objects.values()].sort((x, y) => (x.dt < y.dt ? -1 : 1)),
    drift: mergeDrift(mergeDrift(emptyDrift(), a.drift), b.drift),
    ...(a.walked || b.walked
      ? {
          walked: {
            pages: (a.walked?.pages ?? 0) + (b.walked?.pages ?? 0),
            records: (a.walked?.records ?? 0) + (b.walked?.records ?? 0),
          },
        }
      : {}),
  };
}

/** The summary of one landed page (its ids read again only for page records older than their summaries). */
async function pageSummary(sink: Sink, record: PageRecord, idField: string): Promise<BlockSummary> {
  const ids =
    record.distinct !== undefined
      ? { records: record.records, distinct: record.distinct, minId: record.minId, maxId: record.maxId }
      : summarizeIds(await landedPageIds(sink, record, idField));
  const range = ids.minId !== undefined && ids.maxId !== undefined ? { minId: ids.minId, maxId: ids.maxId } : undefined;
  const byDt = new Map<string, string[]>();
  for (const part of record.parts) byDt.set(part.dt, [...(byDt.get(part.dt) ?? []), part.key]);
  const objects = [...byDt]
    .sort(([x], [y]) => (x < y ? -1 : 1))
    .map(([dt, keys]) => ({ dt, count: keys.length, names: namesDigest(keys) }));
  return {
    v: 2,
    pages: 1,
    records: ids.records,
    proof: { ok: ids.distinct === ids.records, direction: 0, ...(range ? { first: range, last: range } : {}) },
    objects,
    drift: record.drift ?? {},
  };
}

/** `read` of each item (at most READS_IN_FLIGHT at once), in order. */
async function readAll<I, T>(items: readonly I[], read: (item: I) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += READS_IN_FLIGHT)
    out.push(...(await Promise.all(items.slice(i, i + READS_IN_FLIGHT).map(read))));
  return out;
}

/** The summary of the landed pages `keys`, in run order (one read each). */
async function summarizePageRecords(sink: Sink, manifest: RunManifest, keys: string[]): Promise<BlockSummary> {
  const summaries = await readAll(keys, async (key) => {
    const record = await readPageRecord(sink, key);
    if (!record)
      throw new PermanentError(
        `${sink.url}/${key} is missing, though the run's listing named it: run ${manifest.runId} cannot be checked. ` +
          `Resume the run (npm start -- --resume ${manifest.runId}) so the page lands again.`,
      );
    return pageSummary(sink, record, manifest.idField ?? 'id');
  });
  return summaries.reduce(combineSummaries, EMPTY);
}

const SliceCounts = z.object({ pages: z.number().int().nonnegative(), records: z.number().int().nonnegative() });

/** A block of cursor slices: each slice's marker (its walk's counts), then its pages. */
async function summarizeSlices(sink: Sink, manifest: RunManifest, first: number, last: number): Promise<BlockSummary> {
  const run = runIdentity(manifest);
  const slices = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  const walks = await readAll(
    slices.map((n) => sliceMarkerKey(run, n)),
    async (key) => {
      const counts = await readStateFile(sink, key, SliceCounts, `Remove it and resume run ${manifest.runId}.`);
      if (!counts) throw new PermanentError(`${sink.url}/${key} is missing: run ${manifest.runId} cannot be checked.`);
      return counts;
    },
  );
  const keys = slices.flatMap((n, i) =>
    Array.from({ length: walks[i]?.pages ?? 0 }, (_, p) => pageRecordKey(run, slicePageStem(n, p + 1))),
  );
  const walked = walks.reduce((a, b) => ({ pages: a.pages + b.pages, records: a.records + b.records }), {
    pages: 0,
    records: 0,
  });
  return { ...(await summarizePageRecords(sink, manifest, keys)), walked };
}

/** Summarizes a whole level-0 block from its page records (one read each). */
async function summarizePages(sink: Sink, manifest: RunManifest, index: number): Promise<BlockSummary> {
  const block = blockPlan(manifest).block(index);
  const { recordKey } = block;
  if (!recordKey) return summarizeSlices(sink, manifest, block.first, block.last);
  const keys = Array.from({ length: Math.max(0, block.last - block.first + 1) }, (_, i) => recordKey(block.first + i));
  return summarizePageRecords(sink, manifest, keys);
}

/** The children of marker `index` at `level` (level 1: pages; above: markers of the level below). */
async function summarizeChildren(
  sink: Sink,
  manifest: RunManifest,
  level: number,
  index: number,
): Promise<BlockSummary> {
  if (level === 1) return summarizePages(sink, manifest, index);
  const below = markerLevels(manifest)[level - 2] ?? 0;
  const first = index * BLOCK_FANOUT;
  const last = Math.min(below - 1, first + BLOCK_FANOUT - 1);
  return summarizeMarkers(sink, manifest, level - 1, first, last);
}

/** A marker from before markers held summaries: `{}`. */
const isLegacyMarker = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !Object.hasOwn(raw, 'v');

/**
 * The summary of marker `index` at `level`: read from the marker, or, for a
 * marker written before markers held summaries (or not written: a run sealed
 * without its workers' seal step), worked out from what lies under it.
 */
export async function blockSummary(
  sink: Sink,
  manifest: RunManifest,
  level: number,
  index: number,
): Promise<BlockSummary> {
  const key = markerKey(manifest, level, index);
  const body = await sink.get(key);
  if (body) {
    const remedy =
      'Remove it (sealing then reads the pages under it instead) and seal the run with ' +
      `\`npm start -- status ${manifest.runId} --sink ${sink.url}\`.`;
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      throw new PermanentError(`${sink.url}/${key} is not JSON. ${remedy}`);
    }
    const summary = BlockSummary.safeParse(raw);
    if (summary.success) return summary.data;
    if (!isLegacyMarker(raw))
      throw new PermanentError(`${sink.url}/${key} is not a block marker this version can read. ${remedy}`);
  }
  return summarizeChildren(sink, manifest, level, index);
}

/** Markers first..last of `level`, combined in run order. */
export async function summarizeMarkers(
  sink: Sink,
  manifest: RunManifest,
  level: number,
  first: number,
  last: number,
): Promise<BlockSummary> {
  const indexes = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
  const summaries = await readAll(indexes.map(String), (n) => blockSummary(sink, manifest, level, Number(n)));
  return summaries.reduce(combineSummaries, EMPTY);
}

/** The body of marker `index` at `level` when its block is whole: its summary. */
export async function markerBody(sink: Sink, manifest: RunManifest, level: number, index: number): Promise<Buffer> {
  return Buffer.from(`${JSON.stringify(await summarizeChildren(sink, manifest, level, index))}\n`);
}
