import { gunzipSync } from 'node:zlib';
import { PermanentError, type Sink } from '@rdc/contracts';
import { DATA_FILE, partitionFolder, type RunIdentity } from '../bucket-layout.js';
import { parseRecordLine } from './exact-json.js';

type RunRef = Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>;

/** `page-000042…` → [0, 42]; `page-s000003-000001…` → [3, 1]: the run's page order. */
function pageOrder(name: string): [number, number] {
  const m = /^page-(?:s(\d+)-)?(\d+)\./.exec(name);
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
}

/**
 * The NDJSON parts of one partition of a run, in page order. After the seal
 * these are exactly the parts its page records list: sealing refuses a run
 * with any other data object in its partitions (state/integrity.ts).
 */
export async function partitionParts(sink: Sink, run: RunRef, dt: string): Promise<string[]> {
  const folder = partitionFolder(run, dt);
  const parts = (await sink.list(folder)).filter((key) => DATA_FILE.test(key.slice(folder.length)));
  return parts.sort((a, b) => {
    const [sa, pa] = pageOrder(a.slice(folder.length));
    const [sb, pb] = pageOrder(b.slice(folder.length));
    return sa - sb || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** Parts read ahead while the current one is encoded: hides storage latency, holds a few pages at most. */
const READ_AHEAD = 8;

/** The records of `parts`, in order, with up to `READ_AHEAD` parts read ahead (a part is one page's share). */
export async function* partRecords(sink: Sink, parts: readonly string[]): AsyncGenerator<Record<string, unknown>> {
  const reads: (Promise<Buffer | undefined> | undefined)[] = [];
  const fetchNext = (): void => {
    const key = parts[reads.length];
    if (key === undefined) return;
    const read = sink.get(key);
    // Awaited below; until then a failure must not count as unhandled (the generator may be abandoned).
    read.catch(() => undefined);
    reads.push(read);
  };
  for (let i = 0; i < READ_AHEAD; i++) fetchNext();
  for (let index = 0; index < parts.length; index++) {
    const key = parts[index]!;
    const body = await reads[index];
    reads[index] = undefined;
    fetchNext();
    if (!body) {
      throw new PermanentError(
        `${sink.url}/${key} was listed but is gone: a sealed run's NDJSON parts must stay until its compaction marker is written.`,
      );
    }
    const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
    let line = 0;
    for (const raw of text.split('\n')) {
      line++;
      if (raw === '') continue;
      try {
        yield parseRecordLine(raw);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        throw new PermanentError(`${sink.url}/${key} line ${line} is not a JSON record (${error.message}).`);
      }
    }
  }
}
