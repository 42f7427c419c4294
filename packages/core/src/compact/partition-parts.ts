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

/** The records of `parts`, in order, one part in memory at a time. */
export async function* partRecords(sink: Sink, parts: readonly string[]): AsyncGenerator<Record<string, unknown>> {
  for (const key of parts) {
    const body = await sink.get(key);
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
