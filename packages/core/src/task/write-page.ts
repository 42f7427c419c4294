import { gzipSync } from 'node:zlib';
import { recordLine, type PutResult } from '@rdc/contracts';
import type { HandlerDeps } from './handler-deps.js';

/** One line per record: the record's JSON text as the API sent it (see `recordLine`). */
export function toNdjson(records: readonly object[]): Buffer {
  return Buffer.from(records.map((r) => `${recordLine(r)}\n`).join(''), 'utf8');
}

/** Writes one page of records once (`putIfAbsent`): a redelivery never replaces or duplicates it. */
export function writePage(
  deps: Pick<HandlerDeps, 'sink' | 'gzip'>,
  key: string,
  records: readonly object[],
  metadata: Record<string, string>,
): Promise<PutResult> {
  const ndjson = toNdjson(records);
  return deps.sink.putIfAbsent(key, deps.gzip ? gzipSync(ndjson) : ndjson, {
    contentType: 'application/x-ndjson',
    ...(deps.gzip ? { contentEncoding: 'gzip' as const } : {}),
    metadata,
  });
}
