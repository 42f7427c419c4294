import { z } from 'zod';
import { type CursorPosition, PermanentError, type Sink } from '@rdc/contracts';
import { walkCheckpointKey, walkSeenKey, type RunIdentity } from '../bucket-layout.js';

// A slice's cursor walk saves where it is after each page, so a resumed or
// redelivered walk continues there instead of asking the API for every page
// again. The checkpoint is written after the page it follows has landed, so
// any checkpoint found is a point where every page before it is in the sink.

/** Loop keys per write-once chunk: a checkpoint stays small however long the walk. */
export const SEEN_CHUNK = 500;

const Position = z.object({
  page: z.number().int().positive(),
  next: z.object({ kind: z.enum(['cursor', 'url']), value: z.string() }),
  key: z.string().min(1),
});

/** What `_rdc/runs/…/walks/slice-NNNNNN.json` holds. */
const WalkCheckpoint = z.object({
  v: z.literal(1),
  runId: z.string(),
  slice: z.number().int().positive(),
  window: z.object({ start: z.string(), end: z.string() }),
  /** The response the walk had taken last, and the request it sends next. */
  at: Position,
  /** Pages with records landed so far: they are pages 1 to `pages` of the slice. */
  pages: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  /** The response from which the page bound counts: where the walk last stopped at a bound. */
  boundFrom: z.number().int().nonnegative(),
  /** Chunks of loop keys written before `seen`. */
  chunks: z.number().int().nonnegative(),
  seen: z.array(z.string()),
  savedAt: z.string(),
});

const SeenChunk = z.object({ v: z.literal(1), keys: z.array(z.string()) });

/** Where a walk stands: what a checkpoint records besides the loop keys. */
export interface WalkState {
  at: CursorPosition;
  pages: number;
  records: number;
  boundFrom: number;
}

/** A saved walk: where it stands, and every loop key it reached. */
export interface SavedWalk extends WalkState {
  seen: string[];
  chunks: number;
  tail: string[];
}

interface WalkRef {
  run: RunIdentity;
  slice: number;
  window: { start: string; end: string };
  /** e.g. `run … slice 2/4 [...)`, for messages. */
  where: string;
}

async function readJson<T>(sink: Sink, key: string, schema: z.ZodType<T>, ref: WalkRef): Promise<T | undefined> {
  const body = await sink.get(key);
  if (!body) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new PermanentError(
    `${ref.where}: ${sink.url}/${key} is not a walk checkpoint this version can read. ` +
      `Remove ${sink.url}/${walkCheckpointKey(ref.run, ref.slice).slice(0, -5)}* to walk the slice from its start, then resume the run.`,
    { runId: ref.run.runId },
  );
}

/** The slice's saved walk, or undefined when it has none. A checkpoint of another run, slice or window is refused. */
export async function loadWalk(sink: Sink, ref: WalkRef): Promise<SavedWalk | undefined> {
  const saved = await readJson(sink, walkCheckpointKey(ref.run, ref.slice), WalkCheckpoint, ref);
  if (!saved) return undefined;
  const sameWindow =
    Date.parse(saved.window.start) === Date.parse(ref.window.start) &&
    Date.parse(saved.window.end) === Date.parse(ref.window.end);
  if (saved.runId !== ref.run.runId || saved.slice !== ref.slice || !sameWindow) {
    throw new PermanentError(
      `${ref.where}: ${sink.url}/${walkCheckpointKey(ref.run, ref.slice)} is the checkpoint of run ${saved.runId} slice ${saved.slice} ` +
        `[${saved.window.start}, ${saved.window.end}), not of this slice. Remove it to walk the slice from its start, then resume the run.`,
      { runId: ref.run.runId },
    );
  }
  const seen: string[] = [];
  for (let chunk = 1; chunk <= saved.chunks; chunk++) {
    const keys = await readJson(sink, walkSeenKey(ref.run, ref.slice, chunk), SeenChunk, ref);
    if (!keys) {
      throw new PermanentError(
        `${ref.where}: the walk checkpoint names ${saved.chunks} chunk(s) of loop keys, but ${sink.url}/${walkSeenKey(ref.run, ref.slice, chunk)} is missing. ` +
          `Remove ${sink.url}/${walkCheckpointKey(ref.run, ref.slice).slice(0, -5)}* to walk the slice from its start, then resume the run.`,
        { runId: ref.run.runId },
      );
    }
    seen.push(...keys.keys);
  }
  seen.push(...saved.seen);
  const { at, pages, records, boundFrom, chunks } = saved;
  return { at, pages, records, boundFrom, chunks, tail: saved.seen, seen };
}

/**
 * Saves a slice walk's progress after each page: the checkpoint is replaced
 * (`put`), the loop keys past every SEEN_CHUNK go to write-once chunks first.
 */
export class WalkCheckpoints {
  private chunks: number;
  private tail: string[];

  constructor(
    private readonly sink: Sink,
    private readonly ref: WalkRef,
    saved?: SavedWalk,
  ) {
    this.chunks = saved?.chunks ?? 0;
    this.tail = [...(saved?.tail ?? [])];
  }

  /** Call only once every page up to `state.at.page` has landed. */
  async save(state: WalkState): Promise<void> {
    this.tail.push(state.at.key);
    if (this.tail.length >= SEEN_CHUNK) {
      const chunk = Buffer.from(`${JSON.stringify({ v: 1, keys: this.tail })}\n`);
      // An interrupted attempt may have written this chunk already: the same keys, reached the same way.
      await this.sink.putIfAbsent(walkSeenKey(this.ref.run, this.ref.slice, this.chunks + 1), chunk, {
        contentType: 'application/json',
      });
      this.chunks++;
      this.tail = [];
    }
    const body: z.infer<typeof WalkCheckpoint> = {
      v: 1,
      runId: this.ref.run.runId,
      slice: this.ref.slice,
      window: this.ref.window,
      ...state,
      chunks: this.chunks,
      seen: this.tail,
      savedAt: new Date().toISOString(),
    };
    await this.sink.put(walkCheckpointKey(this.ref.run, this.ref.slice), Buffer.from(`${JSON.stringify(body)}\n`), {
      contentType: 'application/json',
    });
  }
}
