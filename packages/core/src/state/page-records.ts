import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { exactId, PermanentError, type Sink } from '@rdc/contracts';
import { StoredDrift } from './drift.js';

// Page records: what `_rdc/runs/…/pages/` holds for each landed page, and the
// ids a landed page's data objects hold. Written by the task stage, read by
// sealing, status and redeliveries.

/**
 * What `_rdc/runs/…/pages/<stem>.json` holds: the page landed, with every part.
 * `metadata` is computed over all the page's records, before the split by date.
 */
export const PageRecord = z.object({
  v: z.literal(1),
  runId: z.string(),
  page: z.string(),
  records: z.number().int().nonnegative(),
  parts: z.array(z.object({ dt: z.string(), key: z.string(), records: z.number().int().nonnegative() })),
  metadata: z.record(z.string(), z.string()),
  /** Distinct ids and the smallest and largest id of the page (sealing's integrity check); absent in older records. */
  distinct: z.number().int().nonnegative().optional(),
  minId: z.string().optional(),
  maxId: z.string().optional(),
  /** Fields the records carry that the endpoint's schema does not declare. */
  drift: StoredDrift.optional(),
  landedAt: z.string(),
});
export type PageRecord = z.infer<typeof PageRecord>;

/** The page record of a landed page, or undefined when it has not landed. */
export async function readPageRecord(sink: Sink, key: string): Promise<PageRecord | undefined> {
  const body = await sink.get(key);
  if (!body) return undefined;
  const parsed = PageRecord.safeParse(JSON.parse(body.toString('utf8')));
  if (!parsed.success) {
    throw new PermanentError(
      `${sink.url}/${key} is not a page record this version can read; remove it and resume the run.`,
    );
  }
  return parsed.data;
}

/** The ids of a landed page in order, read from its parts. */
export async function landedPageIds(sink: Sink, record: PageRecord, idField: string): Promise<string[]> {
  const ids: string[] = [];
  for (const part of record.parts) ids.push(...((await landedIds(sink, part.key, idField)) ?? []));
  return ids;
}

/** The ids of a landed page, in order, as exact text (gunzipped when the key says so). */
export async function landedIds(sink: Sink, key: string, idField: string): Promise<string[] | undefined> {
  const body = await sink.get(key);
  if (!body) return undefined;
  const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => exactId(JSON.parse(line) as Record<string, unknown>, idField, line));
}
