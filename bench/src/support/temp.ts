import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch folder for one bench run; `remove()` deletes it and everything in it. */
export interface Scratch {
  dir: string;
  /** A new empty sub-folder, e.g. one contender's sink. */
  folder(name: string): string;
  remove(): void;
}

export function createScratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'rdc-bench-'));
  let n = 0;
  return {
    dir,
    folder: (name) => mkdtempSync(join(dir, `${String(++n).padStart(2, '0')}-${name}-`)),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
