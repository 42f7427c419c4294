import type { PutOptions, PutResult, Sink } from '@rdc/contracts';
import { DATA_FILE } from '../bucket-layout.js';

/** What went through a sink: the page data files this process created, and their size as stored. */
export interface WriteStats {
  /** Page files (`page-….ndjson[.gz]`) this process wrote; one that had already landed is not counted. */
  pageFiles: number;
  /** Their bytes as stored (compressed when gzipped): the run's data, without bookkeeping. */
  pageBytes: number;
}

const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/**
 * The same sink, counting the page files it creates: summaries and progress
 * lines report the bytes written from here. Every other call passes through.
 */
export function countingSink(sink: Sink): { sink: Sink; stats: WriteStats } {
  const stats: WriteStats = { pageFiles: 0, pageBytes: 0 };
  const counted: Sink = {
    url: sink.url,
    async putIfAbsent(key: string, body: Uint8Array, options?: PutOptions): Promise<PutResult> {
      const result = await sink.putIfAbsent(key, body, options);
      if (result === 'created' && DATA_FILE.test(baseName(key))) {
        stats.pageFiles++;
        stats.pageBytes += body.byteLength;
      }
      return result;
    },
    put: (key, body, options) => sink.put(key, body, options),
    get: (key) => sink.get(key),
    exists: (key) => sink.exists(key),
    list: (prefix) => sink.list(prefix),
    delete: (key) => sink.delete(key),
  };
  return { sink: counted, stats };
}
