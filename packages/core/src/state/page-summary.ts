import { exactId } from '@rdc/contracts';
import { z } from 'zod';

/**
 * What sealing needs to know of one landed page without reading it: how many
 * records it holds, how many distinct ids, and its smallest and largest id (in
 * `compareIds` order). Computed over all the page's records when it is written
 * (before they are split by date) and kept in its page record.
 */
export const PageSummary = z.object({
  records: z.number().int().nonnegative(),
  distinct: z.number().int().nonnegative(),
  minId: z.string().optional(),
  maxId: z.string().optional(),
});
export type PageSummary = z.infer<typeof PageSummary>;

const CANONICAL_INTEGER = /^(0|[1-9]\d*)$/;

/**
 * A total order on ids: canonical non-negative integers numerically (so `9` <
 * `10`) and before every other id; other ids by UTF-16 code units. Any total
 * order proves distinctness; one close to the API's own makes proofs common.
 */
export function compareIds(a: string, b: string): number {
  const an = CANONICAL_INTEGER.test(a);
  const bn = CANONICAL_INTEGER.test(b);
  if (an !== bn) return an ? -1 : 1;
  if (an && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The summary of a page's ids, in any order. */
export function summarizeIds(ids: readonly string[]): PageSummary {
  let minId: string | undefined;
  let maxId: string | undefined;
  for (const id of ids) {
    if (minId === undefined || compareIds(id, minId) < 0) minId = id;
    if (maxId === undefined || compareIds(id, maxId) > 0) maxId = id;
  }
  return {
    records: ids.length,
    distinct: new Set(ids).size,
    ...(minId !== undefined ? { minId } : {}),
    ...(maxId !== undefined ? { maxId } : {}),
  };
}

/** The exact text of each record's id (see `exactId`). */
export const idsOf = (records: readonly Record<string, unknown>[], idField: string): string[] =>
  records.map((r) => exactId(r, idField));
