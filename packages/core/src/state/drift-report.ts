import type { Sink } from '@rdc/contracts';
import { pageRecordsPrefix, type RunIdentity } from '../bucket-layout.js';
import { readPageRecord } from './page-records.js';
import { emptyDrift, mergeDrift, type Drift } from './drift.js';

const READS_IN_FLIGHT = 16;

/**
 * Schema drift of a run so far: the undeclared fields of every landed page,
 * summed from the page records (one read per page, at most 16 at a time).
 */
export async function collectDrift(
  sink: Sink,
  run: Pick<RunIdentity, 'service' | 'endpoint' | 'runId'>,
): Promise<Drift> {
  const keys = await sink.list(pageRecordsPrefix(run));
  const drift = emptyDrift();
  let next = 0;
  const reader = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++];
      if (key !== undefined) mergeDrift(drift, (await readPageRecord(sink, key))?.drift);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, keys.length) }, reader));
  return drift;
}
