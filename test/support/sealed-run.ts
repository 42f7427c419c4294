import { gzipSync } from 'node:zlib';
import type { RecordSchemaSpec, Sink, Window } from '@rdc/contracts';
import { dataKey, makeRunId, pageStem, successKey } from '@rdc/core';
import { type RunIdentity } from '@rdc/core/bucket-layout.js';
import { splitByDate } from '@rdc/core/task/land-page.js';

/** An endpoint schema with every kind of column compaction types: nested, lists, timestamps, dates, JSON. */
export const ORDER_SCHEMA: RecordSchemaSpec = {
  id: 'integer',
  created_at: 'datetime',
  amount: 'number',
  paid: 'boolean',
  note: 'string?',
  birthday: 'date?',
  customer: { id: 'string', vip: 'boolean?' },
  items: [{ sku: 'string', quantity: 'integer', unit_price: 'number' }],
  tags: ['string'],
  extra: 'object?',
};

/** 64-bit ids past 2^53, so a reader that goes through doubles would round them. */
export const BIG_ID_BASE = 9_007_199_254_740_993n;

/**
 * Order records every `stepMs` from `from`, each with a 64-bit id (written as
 * an exact JSON integer) and fields for every column type of ORDER_SCHEMA.
 */
export function orderLines(
  count: number,
  from: number,
  stepMs: number,
): { id: string; created_at: string; line: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const id = String(BIG_ID_BASE + BigInt(i) * 2n);
    const created = new Date(from + i * stepMs).toISOString().replace('Z', `${String(i % 1000).padStart(3, '0')}Z`);
    const body = {
      created_at: created,
      amount: i % 7 === 0 ? 10 : 10.25 + i,
      paid: i % 2 === 0,
      ...(i % 3 === 0 ? { note: `note ${i}` } : { note: null }),
      ...(i % 5 === 0 ? { birthday: '1990-02-03' } : {}),
      customer: { id: `c${i % 11}`, ...(i % 4 === 0 ? { vip: true } : {}) },
      items: Array.from({ length: i % 3 }, (_, k) => ({ sku: `sku-${k}`, quantity: k + 1, unit_price: 2.5 * (k + 1) })),
      tags: i % 2 === 0 ? ['a', 'b'] : [],
      ...(i % 6 === 0 ? { extra: { source: 'web', n: i } } : {}),
      undeclared: 'kept in NDJSON only',
    };
    // The id is spliced in as text: JSON.stringify of a number past 2^53 would round it.
    return { id, created_at: created, line: `{"id":${id},${JSON.stringify(body).slice(1)}` };
  });
}

export interface SealedRun {
  run: RunIdentity;
  window: Window;
  ids: string[];
  /** Ids per UTC date of created_at. */
  idsByDate: Map<string, string[]>;
  parts: string[];
}

/**
 * Lays a sealed run into a sink as the workers would have: one NDJSON part per
 * page and record date, and `_SUCCESS` with the record count. Pages of
 * `pageSize` records, so pages span midnight.
 */
export async function writeSealedRun(
  sink: Sink,
  options: {
    service?: string;
    endpoint?: string;
    window: Window;
    count: number;
    stepMs: number;
    pageSize: number;
    gzip: boolean;
  },
): Promise<SealedRun> {
  const service = options.service ?? 'shop';
  const endpoint = options.endpoint ?? 'orders';
  const runId = makeRunId(service, endpoint, options.window);
  const run: RunIdentity = { runId, service, endpoint, window: options.window };
  const lines = orderLines(options.count, options.window.start.getTime(), options.stepMs);
  const idsByDate = new Map<string, string[]>();
  const parts: string[] = [];
  for (let p = 0; p * options.pageSize < lines.length; p++) {
    const page = lines.slice(p * options.pageSize, (p + 1) * options.pageSize);
    const byDate = splitByDate(
      page.map((l) => ({ created_at: l.created_at, line: l.line, id: l.id })),
      'created_at',
    );
    for (const part of byDate) {
      const key = dataKey(run, part.dt, pageStem(p + 1), options.gzip);
      const text = Buffer.from(part.records.map((r) => `${String(r.line)}\n`).join(''));
      await sink.putIfAbsent(key, options.gzip ? gzipSync(text) : text);
      parts.push(key);
      const list = idsByDate.get(part.dt) ?? [];
      list.push(...part.records.map((r) => String(r.id)));
      idsByDate.set(part.dt, list);
    }
  }
  await sink.putIfAbsent(successKey(run), Buffer.from(JSON.stringify({ runId, records: lines.length })));
  return { run, window: options.window, ids: lines.map((l) => l.id), idsByDate, parts };
}
