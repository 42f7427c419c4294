import type { Sink } from '@rdc/contracts';
import { DATA_FILE, partitionFolder, type RunIdentity } from '../bucket-layout.js';
import { markerLevels } from './block-plan.js';
import { summarizeMarkers, type BlockSummary } from './block-summary.js';
import type { Drift } from './drift.js';
import { checkRunIntegrity } from './integrity.js';
import { namesDigest } from './object-names.js';
import type { IntegrityReport } from './integrity-report.js';
import { planKind, runIdentity, type RunManifest } from './manifest.js';

/** What sealing found about a run whose every unit landed: its records as a whole, its counts and schema drift. */
export interface SealCheck {
  integrity: IntegrityReport;
  drift: Drift;
  /** Pages and records of the run: planned, or for cursor slices as their walks counted them. */
  pages: number;
  records: number;
}

/**
 * Whether the run's dt= partitions hold exactly the data objects its page records
 * name: the same number and the same keys (by digest), so a stray object cannot
 * stand in for a named one that is gone. False when a summary kept no digest.
 */
async function onlyNamedObjects(sink: Sink, run: RunIdentity, objects: BlockSummary['objects']): Promise<boolean> {
  for (const { dt, count, names } of objects) {
    if (names === undefined) return false;
    const folder = partitionFolder(run, dt);
    const listed = (await sink.list(folder)).filter((key) => DATA_FILE.test(key.slice(folder.length)));
    if (listed.length !== count || namesDigest(listed) !== names) return false;
  }
  return true;
}

/**
 * Checks a run whose every unit (page or cursor slice) landed before it is
 * sealed (see integrity.ts for what is checked), from its block markers: the
 * top level's markers (at most 100) combined, plus one list of each dt=
 * partition for objects no page names; no page is read again. When the
 * summaries do not prove the run (ids out of order, a count off, a stray
 * object), every id is read again (checkRunIntegrity), which proves it or says
 * exactly what is wrong.
 */
export async function checkLandedRun(sink: Sink, manifest: RunManifest): Promise<SealCheck> {
  const run = runIdentity(manifest);
  const levels = markerLevels(manifest);
  const top = levels.length;
  const summary = await summarizeMarkers(sink, manifest, top, 0, (levels[top - 1] ?? 0) - 1);
  const slices = planKind(manifest) === 'slices';
  // A plan of cursor slices counts nothing ahead: its slice markers say what each walk landed.
  const pages = slices ? (summary.walked?.pages ?? 0) : manifest.pages;
  const expected = slices ? (summary.walked?.records ?? 0) : manifest.total;
  const { records, drift } = summary;
  const counted = records === expected && summary.pages === pages;
  if (summary.proof.ok && counted && (await onlyNamedObjects(sink, run, summary.objects))) {
    const integrity: IntegrityReport = {
      ok: true,
      method: 'ranges',
      records,
      distinct: records,
      expected,
      duplicates: 0,
      sample: [],
      pages: [],
    };
    return { integrity, drift, pages, records: expected };
  }
  const integrity = await checkRunIntegrity(sink, run, manifest.idField ?? 'id', expected);
  return { integrity, drift, pages, records: expected };
}
