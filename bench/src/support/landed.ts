import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What a contender left in its folder sink. */
export interface Landed {
  /** Pages landed (page records). */
  pages: number;
  /** When each page landed (the file's mtime, epoch ms), ascending. */
  times: number[];
  /** Record ids in part (= date, then page) order, duplicates kept. */
  ids: string[];
  /** Dead-letter records written. */
  deadLettered: number;
}

const PAGE = /^page-[^/]*\.ndjson$/;
const PAGE_RECORD = /\/_rdc\/runs\/.*\/pages\/page-[^/]*\.json$/;

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
}

/** Reads every page file under `root` (a folder sink): landing times and record ids. */
export function readLanded(root: string): Landed {
  const files: string[] = [];
  walk(root, files);
  // Data parts (one per record date of a page) hold the ids; a page landed when its page record did.
  const parts = files.filter((f) => PAGE.test(f.slice(f.lastIndexOf('/') + 1)) && !f.includes('/_rdc/')).sort();
  const pageRecords = files.filter((f) => PAGE_RECORD.test(f));
  // Without any page record (the minimal connector keeps no bookkeeping), each data file is a page.
  const records = pageRecords.length > 0 ? pageRecords : parts;
  const times = records.map((f) => statSync(f).mtimeMs).sort((a, b) => a - b);
  const ids: string[] = [];
  for (const file of parts) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      ids.push(String((JSON.parse(line) as { id?: unknown }).id));
    }
  }
  return {
    pages: records.length,
    times,
    ids,
    deadLettered: files.filter((f) => f.includes('/_rdc/deadletter/')).length,
  };
}

export interface Completeness {
  complete: boolean;
  expected: number;
  landed: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  deadLettered: number;
}

/** Complete = exactly the expected ids, in the API's order, each once, nothing dead-lettered. */
export function checkIds(landed: Landed, expected: readonly string[]): Completeness {
  const want = new Set(expected);
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  for (const id of landed.ids) {
    if (seen.has(id)) duplicates++;
    seen.add(id);
    if (!want.has(id)) unexpected++;
  }
  let missing = 0;
  for (const id of want) if (!seen.has(id)) missing++;
  const inOrder = landed.ids.length === expected.length && landed.ids.every((id, i) => id === expected[i]);
  return {
    complete: inOrder && missing === 0 && duplicates === 0 && unexpected === 0 && landed.deadLettered === 0,
    expected: expected.length,
    landed: landed.ids.length,
    missing,
    duplicates,
    unexpected,
    deadLettered: landed.deadLettered,
  };
}

/** Steady rate between the first and the last event: (n - 1) / (last - first), per second. */
export function steadyRate(times: readonly number[]): number | undefined {
  if (times.length < 2) return undefined;
  const span = (times[times.length - 1] as number) - (times[0] as number);
  return span > 0 ? ((times.length - 1) * 1000) / span : undefined;
}
