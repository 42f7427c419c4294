import type { Dataset } from './dataset.js';
import { ENDPOINTS } from './options.js';
import type { EndpointName } from './options.js';

/**
 * Inserts `perSecond` new records into each endpoint while the server runs,
 * stamped with the current time, so windows ending before now never change.
 * Returns a function that stops it.
 */
export function startGrowth(
  dataset: Dataset,
  perSecond: number,
  onInsert: (endpoint: EndpointName) => void,
  now: () => number = Date.now,
  tickMs = 50,
): () => void {
  if (perSecond <= 0) return () => undefined;
  let last = now();
  let owed = 0;
  const timer = setInterval(() => {
    const at = now();
    owed += ((at - last) * perSecond) / 1000;
    last = at;
    const count = Math.floor(owed);
    owed -= count;
    for (let i = 0; i < count; i++) {
      for (const endpoint of ENDPOINTS) {
        dataset.tables[endpoint].insert(dataset.create(endpoint, at));
        onInsert(endpoint);
      }
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
