import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataKey, makeRunId, pageStem, successKey, utcDate } from '@rdc/core';
import { PAGE_SIZE } from '../config.js';

export interface SealedNdjson {
  runId: string;
  records: number;
  /** NDJSON parts written (one per page and record date). */
  parts: number;
  bytes: number;
}

const STATUSES = ['paid', 'refunded', 'pending'];

/**
 * Writes a sealed run of the retail sales endpoint into `root` as the workers
 * would leave it: pages of 250 records at `recordsPerHour`, one NDJSON part per
 * page and record date, and `_SUCCESS` with the count. Records follow the
 * shipped schema (nested items included). Written straight to files, one page
 * at a time: the bench measures compaction, not this.
 */
export function writeSealedSales(root: string, start: string, end: string, recordsPerHour: number): SealedNdjson {
  const window = { start: new Date(start), end: new Date(end) };
  const runId = makeRunId('retail', 'sales', window);
  const run = { runId, service: 'retail', endpoint: 'sales' };
  const stepMs = 3_600_000 / recordsPerHour;
  const records = Math.floor((window.end.getTime() - window.start.getTime()) / stepMs);
  const folders = new Set<string>();
  let parts = 0;
  let bytes = 0;
  const write = (key: string, text: string): void => {
    const path = join(root, key);
    const folder = dirname(path);
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    writeFileSync(path, text);
    parts++;
    bytes += Buffer.byteLength(text);
  };
  for (let page = 0; page * PAGE_SIZE < records; page++) {
    let dt = '';
    let lines: string[] = [];
    for (let i = page * PAGE_SIZE; i < Math.min(records, (page + 1) * PAGE_SIZE); i++) {
      const at = window.start.getTime() + Math.floor(i * stepMs);
      const day = utcDate(at);
      if (day !== dt && lines.length > 0) {
        write(dataKey(run, dt, pageStem(page + 1)), lines.join(''));
        lines = [];
      }
      dt = day;
      const items = Array.from({ length: 1 + (i % 3) }, (_, k) => ({
        sku: `SKU-${(i * 7 + k) % 5000}`,
        quantity: 1 + ((i + k) % 4),
        unit_price: Math.round(((i * 13 + k) % 20000) + 99) / 100,
      }));
      const record = {
        id: `sale_${String(i + 1).padStart(9, '0')}`,
        created_at: new Date(at).toISOString(),
        customer_id: `cus_${(i * 31) % 250_000}`,
        store_id: `store_${i % 40}`,
        status: STATUSES[i % 3],
        currency: 'EUR',
        amount: items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0),
        items,
      };
      lines.push(`${JSON.stringify(record)}\n`);
    }
    if (lines.length > 0) write(dataKey(run, dt, pageStem(page + 1)), lines.join(''));
  }
  const success = join(root, successKey(run));
  mkdirSync(dirname(success), { recursive: true });
  writeFileSync(success, JSON.stringify({ runId, records }));
  return { runId, records, parts, bytes };
}
