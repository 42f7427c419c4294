/** One record as served: its sort key and its JSON, serialized once. */
export interface Row {
  /** Timestamp (created_at or updated_at) in epoch ms. */
  ts: number;
  id: string;
  json: string;
}

function compareKey(ts: number, id: string, row: Row): number {
  if (ts !== row.ts) return ts - row.ts;
  return id < row.id ? -1 : id > row.id ? 1 : 0;
}

/**
 * Records of one endpoint in their stable order (timestamp, then id), with
 * binary searches for window bounds and cursor positions.
 */
export class Table {
  readonly #rows: Row[];
  readonly #tsById = new Map<string, number>();

  constructor(rows: Row[]) {
    this.#rows = [...rows].sort((a, b) => compareKey(a.ts, a.id, b));
    for (const row of this.#rows) {
      if (this.#tsById.has(row.id)) throw new Error(`duplicate id ${row.id}`);
      this.#tsById.set(row.id, row.ts);
    }
  }

  get size(): number {
    return this.#rows.length;
  }

  /** Index of the first row with a timestamp >= `ts`. */
  lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#rows[mid] as Row).ts < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first row after the key (ts, id) in the stable order. */
  after(ts: number, id: string): number {
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKey(ts, id, this.#rows[mid] as Row) >= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index bounds [lo, hi) of the window [start, end) in epoch ms (infinite = open). */
  range(start: number, end: number): [number, number] {
    const lo = start === -Infinity ? 0 : this.lowerBound(start);
    const hi = end === Infinity ? this.#rows.length : this.lowerBound(end);
    return [lo, Math.max(lo, hi)];
  }

  row(index: number): Row {
    const row = this.#rows[index];
    if (!row) throw new RangeError(`no row at ${index} (size ${this.#rows.length})`);
    return row;
  }

  /** Rows [from, to) as one JSON array text. */
  jsonArray(from: number, to: number): string {
    if (to <= from) return '[]';
    let out = '[';
    for (let i = from; i < to; i++) {
      if (i > from) out += ',';
      out += (this.#rows[i] as Row).json;
    }
    return out + ']';
  }

  ids(from: number, to: number): string[] {
    return this.#rows.slice(from, to).map((r) => r.id);
  }

  timestampOf(id: string): number | undefined {
    return this.#tsById.get(id);
  }

  /** Inserts a row at its place in the stable order. */
  insert(row: Row): void {
    if (this.#tsById.has(row.id)) throw new Error(`duplicate id ${row.id}`);
    this.#rows.splice(this.after(row.ts, row.id), 0, row);
    this.#tsById.set(row.id, row.ts);
  }
}
