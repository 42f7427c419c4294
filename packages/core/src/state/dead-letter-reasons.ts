import { z } from 'zod';
import { isRetryable, type Sink } from '@rdc/contracts';
import { planKind, runIdentity, type RunManifest } from './manifest.js';
import { DEAD_PAGE_FILE, DEAD_SLICE_FILE, DEAD_SLICE_PAGE_FILE, deadLetterPrefix } from '../bucket-layout.js';

/** Dead-letter records read for one report at most (one per dead-lettered page or slice). */
export const DEAD_LETTERS_READ = 100;
/** Pages (or slices) named per reason. */
const PAGES_NAMED = 5;
/** Characters of a reason kept. */
const REASON_CHARS = 400;

/** Why some of a run's pages (or slices) were dead-lettered: one error class and message. */
export interface DeadLetterReason {
  /** The error's class (`PermanentError`, `TransientError`, …). */
  error: string;
  /** The message of the first record with this reason. */
  reason: string;
  /** Whether the worker would have retried it (it ran out of attempts). */
  retryable: boolean;
  /** Pages (or slices) dead-lettered for this reason. */
  count: number;
  /** The first few of them, ascending. */
  pages: number[];
}

export interface DeadLetterReasons {
  reasons: DeadLetterReason[];
  /** Dead-lettered pages whose record was not read (over DEAD_LETTERS_READ). */
  unread: number;
}

const Record = z.object({
  error: z.object({ name: z.string(), message: z.string(), retryable: z.boolean().optional() }),
});

/** The unit number (as the run's status counts it) of each dead-letter record name, with the last record of each. */
function recordsByUnit(manifest: RunManifest, names: string[]): Map<number, string> {
  const offsets: number[] = [];
  let sum = 0;
  for (const s of manifest.slices ?? []) {
    offsets.push(sum);
    sum += s.pages;
  }
  const unitOf = (name: string): number | undefined => {
    if (planKind(manifest) === 'slices') return Number(DEAD_SLICE_FILE.exec(name)?.[1] ?? NaN);
    if (!manifest.slices) return Number(DEAD_PAGE_FILE.exec(name)?.[1] ?? NaN);
    const m = DEAD_SLICE_PAGE_FILE.exec(name);
    const slice = Number(m?.[1]);
    const planned = manifest.slices[slice - 1];
    const page = Number(m?.[2]);
    return planned && page >= 1 && page <= planned.pages ? (offsets[slice - 1] ?? 0) + page : undefined;
  };
  const out = new Map<number, string>();
  for (const name of names) {
    const unit = unitOf(name);
    if (unit !== undefined && Number.isInteger(unit)) out.set(unit, name); // any record of a unit tells why it failed: the last listed is read
  }
  return out;
}

/** Messages that differ only in numbers (a page, an offset, a byte position) give one reason. */
const reasonKey = (name: string, message: string): string => `${name}\n${message.replace(/\d+/g, '#')}`;

/**
 * The reasons the dead-lettered pages (or slices) of a run failed, read from
 * their dead-letter records (one list call, one read per page up to
 * DEAD_LETTERS_READ), grouped by error class and message, the most common first.
 * `pages` are the run's dead-lettered units as its status counts them: records
 * of units that landed since (a resume) are not reasons any more.
 */
export async function deadLetterReasons(
  sink: Sink,
  manifest: RunManifest,
  pages: number[],
): Promise<DeadLetterReasons> {
  if (pages.length === 0) return { reasons: [], unread: 0 };
  const prefix = deadLetterPrefix(runIdentity(manifest));
  const byUnit = recordsByUnit(
    manifest,
    (await sink.list(prefix)).map((k) => k.slice(prefix.length)),
  );
  const toRead = pages.filter((p) => byUnit.has(p)).slice(0, DEAD_LETTERS_READ);
  const groups = new Map<string, DeadLetterReason>();
  const bodies = await Promise.all(
    toRead.map(async (page) => {
      try {
        return { page, body: await sink.get(`${prefix}${byUnit.get(page)!}`) };
      } catch (error) {
        if (isRetryable(error)) throw error;
        return { page, body: undefined };
      }
    }),
  );
  for (const { page, body } of bodies) {
    let parsed: z.infer<typeof Record> | undefined;
    try {
      parsed = Record.safeParse(JSON.parse(body?.toString('utf8') ?? '')).data;
    } catch {
      parsed = undefined;
    }
    const error = parsed?.error ?? {
      name: 'unreadable',
      message: `the dead-letter record ${byUnit.get(page)!} is not one this version reads`,
    };
    const key = reasonKey(error.name, error.message);
    const group = groups.get(key) ?? {
      error: error.name,
      reason: error.message.slice(0, REASON_CHARS),
      retryable: error.retryable ?? false,
      count: 0,
      pages: [],
    };
    group.count++;
    if (group.pages.length < PAGES_NAMED) group.pages.push(page);
    groups.set(key, group);
  }
  return { reasons: [...groups.values()].sort((a, b) => b.count - a.count), unread: pages.length - toRead.length };
}
