import { z } from 'zod';
import type { Sink } from '@rdc/contracts';
import { encodingKey, type RunIdentity } from '../bucket-layout.js';
import { readStateFile } from './state-files.js';

const Encoding = z.object({ gzip: z.boolean() });

/** Runs whose encoding a cache keeps at most; the oldest is dropped first. */
export const ENCODING_CACHE_SIZE = 256;

/** The claimed encoding of each run, by run id: claims are write-once, so they are read once. */
export class EncodingCache {
  private readonly runs = new Map<string, boolean>();

  get(runId: string): boolean | undefined {
    return this.runs.get(runId);
  }

  set(runId: string, gzip: boolean): void {
    this.runs.set(runId, gzip);
    if (this.runs.size > ENCODING_CACHE_SIZE) this.runs.delete(this.runs.keys().next().value as string);
  }

  /** Run ids whose encoding is cached, oldest first. */
  runIds(): string[] {
    return [...this.runs.keys()];
  }
}

/**
 * Whether a run's pages are gzipped: the first writer of the run claims its own
 * setting (write once, `encoding.json`), and every writer of the run uses the
 * claimed one, whatever its own `--gzip` / `RDC_GZIP`. So two writers with
 * different settings, racing on one page, write the same key and the
 * write-once precondition keeps one object: never both `.ndjson` and `.ndjson.gz`.
 * `cache` holds the claims already read from this sink.
 */
export async function runEncoding(
  sink: Sink,
  run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>,
  wanted: boolean,
  cache: EncodingCache = new EncodingCache(),
): Promise<boolean> {
  const hit = cache.get(run.runId);
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
  cache.set(run.runId, gzip);
  return gzip;
}
