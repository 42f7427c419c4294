import { expect } from 'chai';
import { buildRecordValidator, compileRecordCheck, loadServices, type RecordSchemaSpec } from '@rdc/contracts';

/** A small seeded PRNG, so a failure names a case that can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** JSON texts of values at and around every type's edges, parsed as the source parses a body. */
const SCALARS = [
  'null',
  'true',
  '0',
  '-1',
  '1.5',
  '1e400',
  '9007199254740991',
  '9007199254740992',
  '""',
  '"x"',
  '"2024-07-01T12:00:00Z"',
  '"2024-07-01T12:00:00.123+02:00"',
  '"2024-07-01T12:00:00"',
  '"2024-02-30T00:00:00Z"',
  '"2024-02-29T23:59:59Z"',
  '"2023-02-29T00:00:00Z"',
  '"2024-07-01"',
  '"2024-13-01"',
  '[]',
  '{}',
];

function randomJson(rand: () => number, depth: number): string {
  const r = rand();
  if (depth <= 0 || r < 0.6) return SCALARS[Math.floor(rand() * SCALARS.length)]!;
  if (r < 0.8) {
    const n = Math.floor(rand() * 3);
    return `[${Array.from({ length: n }, () => randomJson(rand, depth - 1)).join(',')}]`;
  }
  const keys = ['a', 'b', 'c', 'sku', 'quantity', 'constructor', '__proto__'];
  const n = Math.floor(rand() * 4);
  const fields = Array.from({ length: n }, () => {
    const key = keys[Math.floor(rand() * keys.length)]!;
    return `${JSON.stringify(key)}:${randomJson(rand, depth - 1)}`;
  });
  return `{${fields.join(',')}}`;
}

const SCHEMAS: RecordSchemaSpec[] = [
  { a: 'string', b: 'number', c: 'integer' },
  { a: 'boolean?', b: 'datetime', c: 'date?' },
  { a: 'object', b: 'array', 'c?': 'string' },
  { a: { sku: 'string', quantity: 'integer' }, 'b?': ['number'], c: [{ sku: 'string?' }] },
  { constructor: 'string?', a: ['string'] },
  JSON.parse('{"__proto__": "object?", "a": "datetime?"}') as RecordSchemaSpec,
];
const COMPILED = SCHEMAS.map((spec) => ({ spec, fast: compileRecordCheck(spec), zod: buildRecordValidator(spec) }));

describe('compileRecordCheck: the compiled record check agrees with zod', () => {
  it('accepts exactly what the zod validator accepts, over 20,000 JSON values and six schemas', () => {
    // zod's object shape cannot hold a field named __proto__ (it never checks one); the
    // compiled check does, so there it may only be stricter: it must never accept what zod refuses.
    const exact = (spec: RecordSchemaSpec): boolean => !Object.hasOwn(spec, '__proto__');
    const rand = prng(15);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const { spec, fast: check, zod: validator } = COMPILED[i % COMPILED.length]!;
      // Records are objects with the schema's field names, filled with values of every type.
      const names = Object.keys(spec).map((k) => k.replace(/\?$/, ''));
      const text = `{${names
        .filter(() => rand() < 0.9)
        .map((n) => `${JSON.stringify(n)}:${randomJson(rand, 3)}`)
        .join(',')}}`;
      const value: unknown = JSON.parse(text);
      const fast = check(value);
      const zod = validator.safeParse(value).success;
      if (exact(spec)) expect(fast, `${JSON.stringify(spec)} on ${text}`).to.equal(zod);
      else if (fast) expect(zod, `${JSON.stringify(spec)} on ${text}`).to.equal(true);
      if (fast) accepted++;
    }
    // Both outcomes are exercised, not just refusals.
    expect(accepted).to.be.greaterThan(100);
  });

  it('refuses each kind of bad value the schema rules out', () => {
    const check = compileRecordCheck({
      n: 'number',
      i: 'integer',
      t: 'datetime',
      d: 'date',
      o: 'object',
      a: ['string'],
    });
    const good = { n: 1.5, i: 3, t: '2024-07-01T00:00:00Z', d: '2024-07-01', o: {}, a: ['x'] };
    expect(check(good)).to.equal(true);
    // A 64-bit integer is written as the API sent it, so it is an integer past 2^53 too.
    expect(check({ ...good, i: 2 ** 63 })).to.equal(true);
    const bad: Record<string, unknown>[] = [
      { ...good, n: JSON.parse('1e400') as number },
      { ...good, i: 1.5 },
      { ...good, t: '2024-07-01T00:00:00' },
      { ...good, t: '2024-02-30T00:00:00Z' },
      { ...good, d: '2024-07-01T00:00:00Z' },
      { ...good, o: [] },
      { ...good, o: null },
      { ...good, a: ['x', 1] },
      { ...good, a: 'x' },
      { n: 1.5, i: 3, t: '2024-07-01T00:00:00Z', d: '2024-07-01', o: {} },
    ];
    for (const record of bad) expect(check(record), JSON.stringify(record)).to.equal(false);
    expect(check(null)).to.equal(false);
    expect(check([good])).to.equal(false);
  });

  it('accepts the shipped retail sales records, so the hot path does not fall back to zod', () => {
    const { endpoints } = loadServices().services.get('retail')!;
    const check = compileRecordCheck(endpoints.sales!.schema);
    const record = JSON.parse(
      '{"id":"s-1","created_at":"2024-07-01T10:00:00.000Z","customer_id":"c-1","store_id":"st-1","status":"completed",' +
        '"currency":"EUR","amount":12.5,"items":[{"sku":"p-1","quantity":2,"unit_price":6.25}]}',
    ) as unknown;
    expect(check(record)).to.equal(true);
    expect(buildRecordValidator(endpoints.sales!.schema).safeParse(record).success).to.equal(true);
  });
});
