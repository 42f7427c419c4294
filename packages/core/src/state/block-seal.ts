import type { Sink } from '@rdc/contracts';
import { INDEX_DIGITS } from '../defaults.js';
import { planKind, runIdentity, type RunManifest } from './manifest.js';
import {
  PAGE_RECORD_FILE,
  pageRecordsPrefix,
  runFolder,
  SLICE_MARKER_FILE,
  SLICE_PAGE_RECORD_FILE,
} from '../bucket-layout.js';

/**
 * Hierarchical completion: whether a run's last unit (page or slice) has landed,
 * found after each landing with a bounded number of small list calls, whatever
 * the run's size.
 *
 * The units are grouped in blocks of {@link BLOCK_FANOUT} that share a name
 * prefix (`pages/page-0042…`). After a unit lands, its block is listed; when the
 * block is whole, a write-once marker `blocks/L1/b-<block>` is written, and the
 * markers of its parent block (100 of them) are listed the same way, level by
 * level, until a level has at most 100 markers: when all are there, every unit
 * landed. Each writer lists after its own write, so of concurrent writers the
 * last one sees the others' objects (listing is strongly consistent): no block
 * is left unmarked. A marker only says "check now"; sealing (finalizeRun) still
 * reads the whole run and checks its records before writing `_SUCCESS`.
 */
export const BLOCK_FANOUT = 100;

/** Block markers of level `level` (1: blocks of units, 2: blocks of level-1 markers, …). */
export const blockMarkersPrefix = (manifest: RunManifest, level: number): string =>
  `${runFolder(runIdentity(manifest))}blocks/L${level}/`;

/** Marker digits: enough for any block index of a run of MAX_PAGES_PER_RUN_CEILING units. */
const MARKER_DIGITS = 8;
const markerName = (index: number): string => `b-${String(index).padStart(MARKER_DIGITS, '0')}`;
const MARKER_FILE = /^b-(\d{8})$/;

/** `pad(n)` without its last two digits: the name prefix of the block of 100 that holds n. */
const blockDigits = (n: number, digits: number): string => String(n).padStart(digits, '0').slice(0, -2);

/** A level-0 block: the list prefix of its units, and which listed names belong to it. */
interface UnitBlock {
  prefix: string;
  /** Numbers the block must hold, first and last (inclusive). */
  first: number;
  last: number;
  /** The unit number of a listed name (relative to `prefix`'s folder), if it is one of this block's kind. */
  unitOf: (name: string) => number | undefined;
}

/** How a run's units map to level-0 blocks. */
interface BlockPlan {
  blocks: number;
  /** The level-0 block of a landed unit's key (page record or slice marker), if the key is one. */
  blockOfKey: (key: string) => number | undefined;
  block: (index: number) => UnitBlock;
}

/** Units numbered 1..count under `folder`, named `<stem>-NNNNNN.json` (pages, or cursor slices). */
function numberedPlan(folder: string, stem: string, file: RegExp, count: number): BlockPlan {
  const numberOf = (name: string): number | undefined => {
    const m = file.exec(name);
    return m ? Number(m[1]) : undefined;
  };
  return {
    blocks: Math.floor(count / BLOCK_FANOUT) + 1,
    blockOfKey: (key) => {
      const n = key.startsWith(folder) ? numberOf(key.slice(folder.length)) : undefined;
      return n !== undefined && n >= 1 && n <= count ? Math.floor(n / BLOCK_FANOUT) : undefined;
    },
    block: (index) => ({
      prefix: `${folder}${stem}-${blockDigits(index * BLOCK_FANOUT, INDEX_DIGITS)}`,
      first: Math.max(1, index * BLOCK_FANOUT),
      last: Math.min(count, index * BLOCK_FANOUT + BLOCK_FANOUT - 1),
      unitOf: numberOf,
    }),
  };
}

/** Pages of a window split under an offset cap: blocks of 100 pages within each slice, in slice order. */
function slicedPagesPlan(folder: string, pagesPerSlice: readonly number[]): BlockPlan {
  const firstBlock: number[] = [];
  const owners: { slice: number; q: number }[] = [];
  pagesPerSlice.forEach((pages, i) => {
    firstBlock.push(owners.length);
    if (pages > 0) for (let q = 0; q <= Math.floor(pages / BLOCK_FANOUT); q++) owners.push({ slice: i + 1, q });
  });
  return {
    blocks: owners.length,
    blockOfKey: (key) => {
      const m = key.startsWith(folder) ? SLICE_PAGE_RECORD_FILE.exec(key.slice(folder.length)) : null;
      if (!m) return undefined;
      const slice = Number(m[1]);
      const page = Number(m[2]);
      const pages = pagesPerSlice[slice - 1] ?? 0;
      return page >= 1 && page <= pages ? (firstBlock[slice - 1] ?? 0) + Math.floor(page / BLOCK_FANOUT) : undefined;
    },
    block: (index) => {
      const { slice, q } = owners[index] ?? { slice: 0, q: 0 };
      const sliceStem = `page-s${String(slice).padStart(INDEX_DIGITS, '0')}`;
      return {
        prefix: `${folder}${sliceStem}-${blockDigits(q * BLOCK_FANOUT, INDEX_DIGITS)}`,
        first: Math.max(1, q * BLOCK_FANOUT),
        last: Math.min(pagesPerSlice[slice - 1] ?? 0, q * BLOCK_FANOUT + BLOCK_FANOUT - 1),
        unitOf: (name) => {
          const m = SLICE_PAGE_RECORD_FILE.exec(name);
          return m && Number(m[1]) === slice ? Number(m[2]) : undefined;
        },
      };
    },
  };
}

/** The run's blocks, worked out from its manifest (cheap: no I/O, one entry per slice at most). */
function blockPlan(manifest: RunManifest): BlockPlan {
  const run = runIdentity(manifest);
  if (planKind(manifest) === 'slices')
    return numberedPlan(`${runFolder(run)}slices/`, 'slice', SLICE_MARKER_FILE, manifest.pages);
  if (manifest.slices)
    return slicedPagesPlan(
      pageRecordsPrefix(run),
      manifest.slices.map((s) => s.pages),
    );
  return numberedPlan(pageRecordsPrefix(run), 'page', PAGE_RECORD_FILE, manifest.pages);
}

/** Whether every number in [first, last] is among the listed names. */
async function holdsAll(
  sink: Sink,
  prefix: string,
  first: number,
  last: number,
  numberOf: (name: string) => number | undefined,
): Promise<boolean> {
  if (last < first) return true;
  const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const found = new Set<number>();
  for (const key of await sink.list(prefix)) {
    const n = numberOf(key.slice(folder.length));
    if (n !== undefined && n >= first && n <= last) found.add(n);
  }
  return found.size === last - first + 1;
}

const markerNumber = (name: string): number | undefined => {
  const m = MARKER_FILE.exec(name);
  return m ? Number(m[1]) : undefined;
};

/**
 * Called after the unit whose landing key (page record or slice marker) is
 * `landedKey` landed. Lists its block and, as blocks fill, writes their markers
 * and climbs; answers true when every unit of the run has landed (then seal the
 * run with finalizeRun). At most one list call per level (a level holds
 * 100 times fewer markers than the one below), each of at most ~110 names.
 */
export async function allUnitsLanded(sink: Sink, manifest: RunManifest, landedKey: string): Promise<boolean> {
  const plan = blockPlan(manifest);
  let index = plan.blockOfKey(landedKey);
  if (index === undefined) return false;
  const block = plan.block(index);
  if (!(await holdsAll(sink, block.prefix, block.first, block.last, block.unitOf))) return false;
  let count = plan.blocks;
  for (let level = 1; ; level++) {
    const folder = blockMarkersPrefix(manifest, level);
    await sink.putIfAbsent(`${folder}${markerName(index)}`, Buffer.from('{}\n'), { contentType: 'application/json' });
    if (count <= BLOCK_FANOUT) return holdsAll(sink, folder, 0, count - 1, markerNumber);
    const parent = Math.floor(index / BLOCK_FANOUT);
    const first = parent * BLOCK_FANOUT;
    const last = Math.min(count - 1, first + BLOCK_FANOUT - 1);
    const prefix = `${folder}b-${blockDigits(first, MARKER_DIGITS)}`;
    if (!(await holdsAll(sink, prefix, first, last, markerNumber))) return false;
    index = parent;
    count = Math.ceil(count / BLOCK_FANOUT);
  }
}
