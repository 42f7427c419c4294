import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import type { RunManifest } from './manifest.js';
import {
  parseRunId,
  runIdsStartingAt,
  plannedRunsPrefix,
  stateKey,
  successKey,
  type RunIdentity,
} from '../bucket-layout.js';
import { readStateFile } from './state-files.js';

export const Watermark = z.strictObject({
  v: z.literal(1),
  /** End of the last completed window: the next incremental run starts here. */
  end: z.iso.datetime(),
  runId: z.string(),
  updatedAt: z.iso.datetime(),
});
export type Watermark = z.infer<typeof Watermark>;

export const watermarkKey = (service: string, endpoint: string): string =>
  stateKey(service, endpoint, 'watermark.json');

export async function readWatermark(sink: Sink, service: string, endpoint: string): Promise<Watermark | undefined> {
  return readStateFile(
    sink,
    watermarkKey(service, endpoint),
    Watermark,
    'Fix or delete it, or pass --start_date explicitly.',
  );
}

const ClaimEntry = z.object({ runId: z.string(), withdrawn: z.boolean().optional() });

/** A planned run of the endpoint, from its claim under `state/…/runs/`. */
interface Claimed {
  run: RunIdentity;
  key: string;
}

async function claimedRuns(sink: Sink, service: string, endpoint: string, prefixOf = ''): Promise<Claimed[]> {
  const prefix = plannedRunsPrefix(service, endpoint);
  const out: Claimed[] = [];
  for (const key of await sink.list(`${prefix}${prefixOf}`)) {
    try {
      out.push({ run: parseRunId(key.slice(prefix.length).replace(/\.json$/, '')), key });
    } catch {
      // Not a run this version names.
    }
  }
  return out;
}

const sealed = (sink: Sink, run: RunIdentity): Promise<boolean> => sink.exists(successKey(run));

/**
 * The end of the sealed runs that continue from `end` without a gap: a sealed
 * run that starts at `end` moves it to that run's end, and so on. This is how a
 * backfill planned as several consecutive runs moves the watermark to its end,
 * whichever of its runs seals last.
 */
async function contiguousEnd(sink: Sink, service: string, endpoint: string, from: RunIdentity): Promise<RunIdentity> {
  let last = from;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const next = await claimedRuns(sink, service, endpoint, runIdsStartingAt(service, endpoint, last.window.end));
    let moved = false;
    for (const { run } of next.sort((a, b) => b.run.window.end.getTime() - a.run.window.end.getTime())) {
      if (run.window.end.getTime() > last.window.end.getTime() && (await sealed(sink, run))) {
        last = run;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return last;
}

/** Sealed runs followed in one watermark move, at most: a bound on the object reads of one seal. */
const MAX_HOPS = 10_000;

/**
 * Without a watermark, the first run to seal may set it only when no planned,
 * unsealed run ends where it starts: a backfill planned as consecutive runs
 * does not let its second run set the watermark past its unsealed first.
 */
async function earlierRunsUnsealed(sink: Sink, run: RunIdentity): Promise<boolean> {
  const all = await claimedRuns(sink, run.service, run.endpoint);
  const byEnd = new Map<number, Claimed[]>();
  for (const c of all) byEnd.set(c.run.window.end.getTime(), [...(byEnd.get(c.run.window.end.getTime()) ?? []), c]);
  let at = run.window.start.getTime();
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const before: Claimed[] = [];
    for (const c of byEnd.get(at) ?? []) {
      const entry = await readStateFile(
        sink,
        c.key,
        ClaimEntry,
        `Remove ${c.key} if run ${c.run.runId} was never planned.`,
      );
      if (entry && !entry.withdrawn && c.run.window.start.getTime() < at) before.push(c);
    }
    if (before.length === 0) return false;
    let previous: Claimed | undefined;
    for (const c of before) if (await sealed(sink, c.run)) previous = c;
    if (!previous) return true;
    at = previous.run.window.start.getTime();
  }
  return false;
}

/**
 * Moves the watermark to the end of the run, and on over the sealed runs that
 * follow it without a gap. It only moves forward, and only over contiguous
 * coverage: a completed window that starts after it (an explicit later
 * --start_date, or a later run of a backfill sealed first) does not move it, and
 * the run that closes the gap then carries it over the later ones.
 * The sink has no compare-and-swap, so the write is read back: if a concurrent
 * writer put an older end over ours, ours is written again (a few times at most).
 */
export async function advanceWatermark(sink: Sink, manifest: RunManifest, now: Date): Promise<void> {
  const key = watermarkKey(manifest.service, manifest.endpoint);
  const run = parseRunId(manifest.runId);
  const first = await readWatermark(sink, manifest.service, manifest.endpoint);
  if (!first && (await earlierRunsUnsealed(sink, run))) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = attempt === 0 ? first : await readWatermark(sink, manifest.service, manifest.endpoint);
    if (current && Date.parse(current.end) >= run.window.end.getTime()) return;
    if (current && run.window.start.getTime() > Date.parse(current.end)) return;
    const last = await contiguousEnd(sink, manifest.service, manifest.endpoint, run);
    if (current && Date.parse(current.end) >= last.window.end.getTime()) return;
    const next: Watermark = {
      v: 1,
      end: last.window.end.toISOString(),
      runId: last.runId,
      updatedAt: now.toISOString(),
    };
    await sink.put(key, Buffer.from(`${JSON.stringify(next)}\n`), { contentType: 'application/json' });
  }
}
