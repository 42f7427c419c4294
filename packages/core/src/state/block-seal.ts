import type { Sink } from '@rdc/contracts';
import type { RunManifest } from './manifest.js';
import {
  BLOCK_FANOUT,
  blockDigits,
  blockMarkersPrefix,
  blockPlan,
  MARKER_DIGITS,
  MARKER_FILE,
  markerName,
} from './block-plan.js';
import { markerBody } from './block-summary.js';

export { BLOCK_FANOUT, blockMarkersPrefix } from './block-plan.js';

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
 * is left unmarked. A marker holds the summary of what lies under it
 * (block-summary.ts), so sealing (finalizeRun) checks the run's records by
 * reading the top level's markers, not every page.
 */

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

/** The body of marker `index` of `level`, written when the block under it is whole. */
export type MarkerBody = (sink: Sink, manifest: RunManifest, level: number, index: number) => Promise<Buffer>;

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
export async function allUnitsLanded(
  sink: Sink,
  manifest: RunManifest,
  landedKey: string,
  body: MarkerBody = markerBody,
): Promise<boolean> {
  const plan = blockPlan(manifest);
  let index = plan.blockOfKey(landedKey);
  if (index === undefined) return false;
  const block = plan.block(index);
  if (!(await holdsAll(sink, block.prefix, block.first, block.last, block.unitOf))) return false;
  let count = plan.blocks;
  for (let level = 1; ; level++) {
    const folder = blockMarkersPrefix(manifest, level);
    const key = `${folder}${markerName(index)}`;
    // A redelivered landing finds its markers written: no summary is worked out twice.
    if (!(await sink.exists(key)))
      await sink.putIfAbsent(key, await body(sink, manifest, level, index), { contentType: 'application/json' });
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
