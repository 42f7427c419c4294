import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import { encodingKey, type RunIdentity } from '../bucket-layout.js';
import { readStateFile } from '../state/state-files.js';

const Encoding = z.object({ gzip: z.boolean() });
const cache = new WeakMap<Sink, Map<string, boolean>>();
const CACHE_SIZE = 256;

/**
 * Whether a run's pages are gzipped: the first writer of the run claims its own
 * setting (write once, `encoding.json`), and every writer of the run uses the
 * claimed one, whatever its own `--gzip` / `RDC_GZIP`. So two writers with
 * different settings, racing on one page, write the same key and the
 * write-once precondition keeps one object: never both `.ndjson` and `.ndjson.gz`.
 */
export async function runEncoding(
  sink: Sink,
  run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>,
  wanted: boolean,
): Promise<boolean> {
  let runs = cache.get(sink);
  if (!runs) cache.set(sink, (runs = new Map<string, boolean>()));
  const hit = runs.get(run.runId);
  if (hit !== undefined) return hit;
  const key = encodingKey(run);
  let gzip = wanted;
  const body = Buffer.from(`${JSON.stringify({ gzip: wanted })}\n`);
  if ((await sink.putIfAbsent(key, body, { contentType: 'application/json' })) === 'exists') {
    const claimed = await readStateFile(
      sink,
      key,
      Encoding,
      `Remove ${key}; the next writer of run ${run.runId} claims it again.`,
    );
    gzip = claimed?.gzip ?? wanted;
  }
  runs.set(run.runId, gzip);
  if (runs.size > CACHE_SIZE) runs.delete(runs.keys().next().value as string);
  return gzip;
}
