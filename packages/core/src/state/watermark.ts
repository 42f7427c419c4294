import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import type { RunManifest } from '../plan/manifest.js';
import { stateKey } from '../bucket-layout.js';
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

/**
 * Moves the watermark to the run's end. It only moves forward, and only over
 * contiguous coverage: a completed window that starts after it (an explicit later
 * --start_date) would otherwise make incremental runs skip the gap between them.
 * The sink has no compare-and-swap, so the write is read back: if a concurrent
 * writer put an older end over ours, ours is written again (a few times at most).
 */
export async function advanceWatermark(sink: Sink, manifest: RunManifest, now: Date): Promise<void> {
  const key = watermarkKey(manifest.service, manifest.endpoint);
  const end = Date.parse(manifest.window.end);
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await readWatermark(sink, manifest.service, manifest.endpoint);
    if (current && Date.parse(current.end) >= end) return;
    if (current && Date.parse(manifest.window.start) > Date.parse(current.end)) return;
    const next: Watermark = { v: 1, end: manifest.window.end, runId: manifest.runId, updatedAt: now.toISOString() };
    await sink.put(key, Buffer.from(`${JSON.stringify(next)}\n`), { contentType: 'application/json' });
  }
}
