import type { Ack, Delivery, DeliveryHandler, Log, PageTask } from '@rdc/contracts';

/** Shared by the queue tests: tasks, handlers, waiting and a recording log. */

export const QUEUE_RUN_ID = 'shop.orders.20240101T000000Z-20240102T000000Z';

/** Page `page` of a run of `pages` pages of 100. */
export function pageTask(page: number, pages = 10): PageTask {
  return {
    v: 1,
    kind: 'page',
    runId: QUEUE_RUN_ID,
    service: 'shop',
    endpoint: 'orders',
    window: { start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T00:00:00.000Z' },
    pageSize: 100,
    page,
    pages,
    total: pages * 100,
  };
}

/** A DeliveryHandler from a synchronous function (a throw becomes a rejection). */
export const sync =
  (fn: (delivery: Delivery) => Ack): DeliveryHandler =>
  (delivery) =>
    Promise.resolve().then(() => fn(delivery));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export interface LogLine {
  level: string;
  message: string;
  meta: Record<string, unknown>;
}

/** A Log that keeps what it is told, with the child() context merged in. */
export function recordingLog(lines: LogLine[] = [], context: Record<string, unknown> = {}): Log & { lines: LogLine[] } {
  const at =
    (level: string) =>
    (message: string, meta: Record<string, unknown> = {}): void => {
      lines.push({ level, message, meta: { ...context, ...meta } });
    };
  return {
    lines,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (meta) => recordingLog(lines, { ...context, ...meta }),
  };
}
