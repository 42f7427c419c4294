import { INDEX_DIGITS } from '../defaults.js';
import { planKind, runIdentity, type RunManifest } from './manifest.js';
import {
  PAGE_RECORD_FILE,
  pageRecordsPrefix,
  pageStem,
  runFolder,
  SLICE_MARKER_FILE,
  SLICE_PAGE_RECORD_FILE,
  slicePageStem,
} from '../bucket-layout.js';

/**
 * How a run's units (pages, or cursor slices) group into blocks of
 * {@link BLOCK_FANOUT} sharing a name prefix, and blocks into blocks of
 * markers, level by level: the names hierarchical completion
 * (block-seal.ts) lists and writes. Pure: worked out from the manifest alone.
 */
export const BLOCK_FANOUT = 100;

/** Block markers of level `level` (1: blocks of units, 2: blocks of level-1 markers, …). */
export const blockMarkersPrefix = (manifest: RunManifest, level: number): string =>
  `${runFolder(runIdentity(manifest))}blocks/L${level}/`;

/** Marker digits: enough for any block index of a run of MAX_PAGES_PER_RUN_CEILING units. */
export const MARKER_DIGITS = 8;
export const markerName = (index: number): string => `b-${String(index).padStart(MARKER_DIGITS, '0')}`;
export const MARKER_FILE = /^b-(\d{8})$/;

/** `pad(n)` without its last two digits: the name prefix of the block of 100 that holds n. */
export const blockDigits = (n: number, digits: number): string => String(n).padStart(digits, '0').slice(0, -2);

/** A level-0 block: the list prefix of its units, and which listed names belong to it. */
export interface UnitBlock {
  prefix: string;
  /** Numbers the block must hold, first and last (inclusive). */
  first: number;
  last: number;
  /** The unit number of a listed name (relative to `prefix`'s folder), if it is one of this block's kind. */
  unitOf: (name: string) => number | undefined;
  /** The page record key of unit `n` of this block (undefined in a plan of cursor slices). */
  recordKey?: (n: number) => string;
}

/** How a run's units map to level-0 blocks. */
export interface BlockPlan {
  blocks: number;
  /** The level-0 block of a landed unit's key (page record or slice marker), if the key is one. */
  blockOfKey: (key: string) => number | undefined;
  block: (index: number) => UnitBlock;
}

/** Units numbered 1..count under `folder`, named `<stem>-NNNNNN.json` (pages, or cursor slices). */
function numberedPlan(
  folder: string,
  stem: string,
  file: RegExp,
  count: number,
  recordKey?: (n: number) => string,
): BlockPlan {
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
      ...(recordKey ? { recordKey } : {}),
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
        recordKey: (n) => `${folder}${slicePageStem(slice, n)}.json`,
      };
    },
  };
}

/** The run's blocks, worked out from its manifest (cheap: no I/O, one entry per slice at most). */
export function blockPlan(manifest: RunManifest): BlockPlan {
  const run = runIdentity(manifest);
  if (planKind(manifest) === 'slices')
    return numberedPlan(`${runFolder(run)}slices/`, 'slice', SLICE_MARKER_FILE, manifest.pages);
  if (manifest.slices)
    return slicedPagesPlan(
      pageRecordsPrefix(run),
      manifest.slices.map((s) => s.pages),
    );
  const folder = pageRecordsPrefix(run);
  return numberedPlan(folder, 'page', PAGE_RECORD_FILE, manifest.pages, (n) => `${folder}${pageStem(n)}.json`);
}

/** The key of marker `index` of level `level`. */
export const markerKey = (manifest: RunManifest, level: number, index: number): string =>
  `${blockMarkersPrefix(manifest, level)}${markerName(index)}`;

/** Markers per level, from level 1 up to the first level of at most BLOCK_FANOUT (the top). */
export function markerLevels(manifest: RunManifest): number[] {
  const counts = [blockPlan(manifest).blocks];
  while (counts[counts.length - 1]! > BLOCK_FANOUT) counts.push(Math.ceil(counts[counts.length - 1]! / BLOCK_FANOUT));
  return counts;
}
