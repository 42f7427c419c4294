import { ConfigError, type PutOptions, type Sink } from '@rdc/contracts';
import {
  deadLetterPrefix,
  manifestKey,
  partitionFolder,
  retiredPrefix,
  runFolder,
  successKey,
  utcDate,
  type RunIdentity,
} from '../bucket-layout.js';

export interface Retired {
  /** Objects moved out of the run's folder and dead-letter folder. */
  moved: number;
  /** Where they are now, under their original keys. */
  to: string;
}

function optionsFor(key: string): PutOptions {
  if (key.endsWith('.gz')) return { contentType: 'application/x-ndjson', contentEncoding: 'gzip' };
  if (key.endsWith('.json')) return { contentType: 'application/json' };
  return { contentType: 'application/octet-stream' };
}

async function move(sink: Sink, key: string, to: string): Promise<void> {
  const body = await sink.get(key);
  if (body) await sink.putIfAbsent(`${to}${key}`, body, optionsFor(key));
  await sink.delete(key);
}

/**
 * Retires a run that was never sealed: moves every object of the run (its data
 * in every dt= folder of its window first, then page records, slice markers,
 * dead-letter records, and the manifest last) under `_rdc/retired/…/<retiredAt>/`,
 * where no reader of the table looks. The window can
 * then be planned again as a fresh run, and no reader sees the bad pages beside
 * the new ones. A sealed run is refused. Safe to repeat after a crash: what was
 * moved is gone from the run, and the manifest goes last.
 */
export async function retireRun(sink: Sink, run: RunIdentity, now = new Date()): Promise<Retired> {
  if (await sink.exists(successKey(run))) {
    throw new ConfigError(
      `Run ${run.runId} is sealed (_SUCCESS written): its records were checked complete, so there is nothing to repair.`,
    );
  }
  const manifest = manifestKey(run);
  if (!(await sink.exists(manifest))) {
    throw new ConfigError(`Run ${run.runId} has no manifest in ${sink.url}; there is nothing to repair. Check --sink.`);
  }
  const to = retiredPrefix(run, now.toISOString().replace(/[-:.]/g, ''));
  const keys: string[] = [];
  // Records fall inside the window, so its data sits in the dt= folders of the window's dates.
  const DAY = 86_400_000;
  const first = Date.parse(utcDate(run.window.start));
  for (let day = first; day < run.window.end.getTime(); day += DAY) {
    keys.push(...(await sink.list(partitionFolder(run, utcDate(day)))));
  }
  keys.push(...(await sink.list(runFolder(run))).filter((k) => k !== manifest));
  keys.push(...(await sink.list(deadLetterPrefix(run))));
  for (const key of keys) await move(sink, key, to);
  await move(sink, manifest, to);
  return { moved: keys.length + 1, to: `${sink.url}/${to}` };
}
