import type {
  CountResult,
  CursorPage,
  PageRequest,
  PageResult,
  PutOptions,
  PutResult,
  Sink,
  Source,
  Task,
  TaskPublisher,
  Window,
} from '@rdc/contracts';

/** A Sink held in a Map: the fake used by unit tests of the core. */
export class MemorySink implements Sink {
  readonly url = 'mem://test';
  readonly objects = new Map<string, { body: Buffer; options: PutOptions }>();
  writes = 0;

  putIfAbsent(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    if (this.objects.has(key)) return Promise.resolve('exists');
    this.writes++;
    this.objects.set(key, { body: Buffer.from(body), options });
    return Promise.resolve('created');
  }
  put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    this.writes++;
    this.objects.set(key, { body: Buffer.from(body), options });
    return Promise.resolve();
  }
  get(key: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.objects.get(key)?.body);
  }
  exists(key: string): Promise<boolean> {
    return Promise.resolve(this.objects.has(key));
  }
  list(prefix: string): Promise<string[]> {
    return Promise.resolve([...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort());
  }
  delete(key: string): Promise<void> {
    this.objects.delete(key);
    return Promise.resolve();
  }
}

export interface FakeRecord extends Record<string, unknown> {
  id: string;
  created_at: string;
}

/** Records every `stepMs` from `from`, ids rec_000001…, matching the test service's schema. */
export function makeRecords(count: number, from = Date.UTC(2024, 6, 1), stepMs = 60_000): FakeRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `rec_${String(i + 1).padStart(6, '0')}`,
    created_at: new Date(from + i * stepMs).toISOString(),
    amount: 10 + i,
  }));
}

/** An offset-paginated Source over an array: the fake API of unit tests. */
export class FakeSource implements Source {
  calls: PageRequest[] = [];
  counts = 0;
  /** Mutate to simulate a misbehaving API. */
  transform: (records: FakeRecord[], request: PageRequest) => FakeRecord[] = (r) => r;
  reportTotal: ((real: number) => number) | undefined;

  constructor(public records: FakeRecord[]) {}

  private inWindow(window: Window): FakeRecord[] {
    return this.records.filter((r) => {
      const t = Date.parse(r.created_at);
      return t >= window.start.getTime() && t < window.end.getTime();
    });
  }
  count(_endpoint: string, window: Window, pageSize: number): Promise<CountResult> {
    this.counts++;
    const total = this.inWindow(window).length;
    return Promise.resolve({ total, pages: Math.ceil(total / pageSize) });
  }
  fetchPage(request: PageRequest): Promise<PageResult> {
    this.calls.push(request);
    const all = this.inWindow(request.window);
    const offset = (request.page - 1) * request.pageSize;
    const records = this.transform(all.slice(offset, offset + request.pageSize), request);
    return Promise.resolve({
      records,
      total: this.reportTotal ? this.reportTotal(all.length) : all.length,
      requestId: `req-${request.page}`,
    });
  }
  walkCursor(): AsyncIterable<CursorPage> {
    throw new Error('FakeSource is offset-paginated');
  }
}

/** A publisher that records tasks; `failAfter` makes publish throw (a crashing planner). */
export class RecordingPublisher implements TaskPublisher {
  tasks: Task[] = [];
  flushed = 0;
  closed = false;
  constructor(private readonly failAfter = Infinity) {}
  publish(task: Task): Promise<void> {
    if (this.tasks.length >= this.failAfter) return Promise.reject(new Error('publish failed'));
    this.tasks.push(task);
    return Promise.resolve();
  }
  flush(): Promise<void> {
    this.flushed++;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
