import { gzipSync, gunzipSync } from 'node:zlib';
import type { PutResult, Sink } from '@rdc/contracts';
import type { HandlerDeps } from './authorize.js';

export function toNdjson(records: readonly unknown[]): Buffer {
  return Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
}

/** Writes one page of records once (`putIfAbsent`): a redelivery never replaces or duplicates it. */
export function writePage(
  deps: Pick<HandlerDeps, 'sink' | 'gzip'>,
  key: string,
  records: readonly unknown[],
  metadata: Record<string, string>,
): Promise<PutResult> {
  const ndjson = toNdjson(records);
  return deps.sink.putIfAbsent(key, deps.gzip ? gzipSync(ndjson) : ndjson, {
    contentType: 'application/x-ndjson',
    ...(deps.gzip ? { contentEncoding: 'gzip' as const } : {}),
    metadata,
  });
}

/** The ids of a landed page, in order (gunzipped when the key says so). */
export async function landedIds(sink: Sink, key: string, idField: string): Promise<string[] | undefined> {
  const body = await sink.get(key);
  if (!body) return undefined;
  const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => String((JSON.parse(line) as Record<string, unknown>)[idField]));
}
