import type { Log } from '@rdc/contracts';
import type { TaskProcessor } from '@rdc/core';

type Processed = Awaited<ReturnType<TaskProcessor>>;

/** The API and sink counters an activity line reads: the source registry's totals and the sink's writes. */
export interface ActivityExtras {
  requests: number;
  retries: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  bytesWritten: number;
}

export interface Activity {
  /** Counts one worked delivery. */
  count(processed: Processed): Processed;
  /** Logs the activity every `intervalMs` while anything changed. */
  start(): void;
  /** Stops the clock and logs the closing line. */
  stop(): void;
}

/**
 * What a worker did since it started, logged as one line every interval (when
 * something happened) and once when it stops: tasks landed, failed
 * (dead-lettered) apart from them, deliveries handed back to retry, records,
 * API retries and 429 waits, bytes written. JSON logs carry the numbers as fields.
 */
export function createActivity(options: { log: Log; intervalMs: number; extras: () => ActivityExtras }): Activity {
  const counts = { landed: 0, alreadyLanded: 0, failed: 0, retriedDeliveries: 0, records: 0 };
  let timer: NodeJS.Timeout | undefined;
  let lastLogged = '';
  const fieldsNow = () => {
    const extras = options.extras();
    return {
      ...counts,
      requests: extras.requests,
      retries: extras.retries,
      rateLimitWaits: extras.rateLimitWaits,
      rateLimitWaitSeconds: Math.round(extras.rateLimitWaitMs / 100) / 10,
      bytesWritten: extras.bytesWritten,
    };
  };
  const report = (closing: boolean): void => {
    const f = fieldsNow();
    const key = JSON.stringify(f);
    if (!closing && key === lastLogged) return;
    lastLogged = key;
    options.log.info(
      `Worker ${closing ? 'stopping' : 'activity'}, since start: ${f.landed} tasks landed (${f.alreadyLanded} found already there), ` +
        `${f.failed} failed (dead-lettered), ${f.retriedDeliveries} deliveries handed back to retry; ` +
        `${f.records.toLocaleString('en-US')} records; ${f.requests} API requests, ${f.retries} retries, ` +
        `429 waits ${f.rateLimitWaits} (${f.rateLimitWaitSeconds.toFixed(1)} s); ${f.bytesWritten.toLocaleString('en-US')} bytes written`,
      f,
    );
  };
  return {
    count(processed) {
      if (processed.decision === 'dead-letter') counts.failed++;
      else if (processed.decision === 'retry') counts.retriedDeliveries++;
      else if (processed.result) {
        if (processed.result.outcome === 'landed') counts.landed++;
        else counts.alreadyLanded++;
        counts.records += processed.result.records;
      }
      return processed;
    },
    start() {
      // Nothing has happened yet: the first line waits for work.
      lastLogged = JSON.stringify(fieldsNow());
      timer = setInterval(() => report(false), options.intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      report(true);
    },
  };
}
