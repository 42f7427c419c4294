import type { Sink } from '@rdc/contracts';
import { DATA_FILE, partitionFolder, type RunIdentity } from '../bucket-layout.js';
import { markerLevels } from './block-plan.js';
import { summarizeMarkers, type BlockSummary } from './block-summary.js';
import { collectDrift } from './drift-report.js';
import type { Drift } from './drift.js';
import { checkRunIntegrity } from './integrity.js';
import type { IntegrityReport } from './integrity-report.js';
import { planKind, runIdentity, type RunManifest } from './manifest.js';

/** What sealing found about a run whose every unit landed: its records as a whole, and its schema drift. */
export interface SealCheck {
  integrity: IntegrityReport;
  drift: Drift;
}

/** Whether the run's dt= partitions hold exactly the data objects its page records name (no stray). */
async function onlyNamedObjects(sink: Sink, run: RunIdentity, objects: BlockSummary['objects']): Promise<boolean> {
  for (const { dt, count } of objects) {
    const folder = partitionFolder(run, dt);
    const listed = (await sink.list(folder)).filter((key) => DATA_FILE.test(key.slice(folder.length))).length;
    if (listed !== count) return false;
  }
  return true;
}

/**
 * Checks a run whose every unit landed before it is sealed (see integrity.ts for
 * what is checked). A page plan is checked from its block markers: the top
 * level's markers (at most 100) combined, plus one list of each dt= partition
 * for objects no page names; no page is read again. When the summaries do not
 * prove the run (ids out of order, a count off, a stray object), every id is
 * read again (checkRunIntegrity), which proves it or says exactly what is wrong.
 * A plan of cursor slices is checked by reading its pages.
 */
export async function checkLandedRun(sink: Sink, manifest: RunManifest, expected: number): Promise<SealCheck> {
  const run = runIdentity(manifest);
  const idField = manifest.idField ?? 'id';
  if (planKind(manifest) === 'slices') {
    const integrity = await checkRunIntegrity(sink, run, idField, expected);
    return { integrity, drift: integrity.ok ? await collectDrift(sink, run) : {} };
  }
  const levels = markerLevels(manifest);
  const top = levels.length;
  const summary = await summarizeMarkers(sink, manifest, top, 0, (levels[top - 1] ?? 0) - 1);
  const { records } = summary;
  const counted = records === expected && summary.pages === manifest.pages;
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
    return { integrity, drift: summary.drift };
  }
  return { integrity: await checkRunIntegrity(sink, run, idField, expected), drift: summary.drift };
}
