import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import { type RunManifest, runIdentity } from './manifest.js';
import { deadLetterPrefix, PAGE_FILE, runPrefix, stateKey, successKey } from './naming.js';

export interface RunStatus {
  runId: string;
  service: string;
  endpoint: string;
  window: { start: string; end: string };
  expectedPages: number;
  landedPages: number;
  deadLetteredPages: number[];
  /** Pages neither landed nor dead-lettered, ascending. */
  missingPages: number[];
  complete: boolean;
  /** `_SUCCESS` has been written. */
  succeeded: boolean;
}

function pagesIn(keys: string[], prefix: string, pattern: RegExp): Set<number> {
  const pages = new Set<number>();
  for (const key of keys) {
    const match = pattern.exec(key.slice(prefix.length));
    if (match) pages.add(Number(match[1]));
  }
  return pages;
}

const DEAD_FILE = /^page-(\d{6,})\.json$/;

/** Reads what landed from the sink itself: the objects are the source of truth. */
export async function runStatus(sink: Sink, manifest: RunManifest): Promise<RunStatus> {
  const run = runIdentity(manifest);
  const prefix = runPrefix(run);
  const dlPrefix = deadLetterPrefix(run);
  const [keys, deadKeys] = await Promise.all([sink.list(prefix), sink.list(dlPrefix)]);
  const landed = pagesIn(keys, prefix, PAGE_FILE);
  const dead = pagesIn(deadKeys, dlPrefix, DEAD_FILE);
  const missing: number[] = [];
  const deadLettered: number[] = [];
  for (let page = 1; page <= manifest.pages; page++) {
    if (landed.has(page)) continue;
    if (dead.has(page)) deadLettered.push(page);
    else missing.push(page);
  }
  const landedCount = [...landed].filter((p) => p >= 1 && p <= manifest.pages).length;
  return {
    runId: manifest.runId,
    service: manifest.service,
    endpoint: manifest.endpoint,
    window: manifest.window,
    expectedPages: manifest.pages,
    landedPages: landedCount,
    deadLetteredPages: deadLettered,
    missingPages: missing,
    complete: landedCount === manifest.pages,
    succeeded: keys.includes(successKey(run)),
  };
}

export const Watermark = z.strictObject({
  v: z.literal(1),
  /** End of the last completed window: the next incremental run starts here. */
  end: z.iso.datetime(),
  runId: z.string(),
  updatedAt: z.iso.datetime(),
});
export type Watermark = z.infer<typeof Watermark>;

export const watermarkKey = (service: string, endpoint: string): string => stateKey(service, endpoint, 'watermark.json');

export async function readWatermark(sink: Sink, service: string, endpoint: string): Promise<Watermark | undefined> {
  const body = await sink.get(watermarkKey(service, endpoint));
  if (!body) return undefined;
  const parsed = Watermark.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) {
    throw new Error(
      `${sink.url}/${watermarkKey(service, endpoint)} is corrupt; fix or delete it, or pass --start_date explicitly.`,
    );
  }
  return parsed.data;
}

/**
 * When every page has landed: writes `_SUCCESS` once (a precondition makes it
 * write-once) and advances the watermark, never backwards.
 * Returns the status it saw.
 */
export async function finalizeRun(sink: Sink, manifest: RunManifest, now = new Date()): Promise<RunStatus> {
  const status = await runStatus(sink, manifest);
  if (!status.complete) return status;
  const run = runIdentity(manifest);
  if (!status.succeeded) {
    const marker = {
      runId: manifest.runId,
      pages: manifest.pages,
      records: manifest.total,
      window: manifest.window,
      plannedAt: manifest.plannedAt,
      completedAt: now.toISOString(),
    };
    await sink.putIfAbsent(successKey(run), Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), {
      contentType: 'application/json',
    });
  }
  const current = await readWatermark(sink, manifest.service, manifest.endpoint);
  if (!current || Date.parse(current.end) < Date.parse(manifest.window.end)) {
    const next: Watermark = { v: 1, end: manifest.window.end, runId: manifest.runId, updatedAt: now.toISOString() };
    await sink.put(watermarkKey(manifest.service, manifest.endpoint), Buffer.from(`${JSON.stringify(next)}\n`), {
      contentType: 'application/json',
    });
  }
  return { ...status, succeeded: true };
}
