import { expect } from 'chai';
import {
  bigQuerySchema,
  buildRecordValidator,
  compileRecordCheck,
  ConfigError,
  EndpointConfig,
  jsonSchema,
  parseTimeZone,
  PermanentError,
  readTimestamp,
  timestampReader,
  TransientError,
  type TimestampType,
} from '@rdc/contracts';
import { splitByDate } from '@rdc/core/task/land-page.js';
import { checkRecords } from '@rdc/core/task/validate-page.js';

const at = (iso: string) => Date.parse(iso);
const zone = (name: string) => parseTimeZone(name)!;

/** An endpoint whose timestamp field `ts` has the given schema type. */
function endpoint(type: string, timeZone = 'UTC'): EndpointConfig {
  return EndpointConfig.parse({
    path: '/orders',
    timestampField: 'ts',
    timeZone,
    pagination: { style: 'offset', pageSize: 10 },
    schema: { id: 'integer', ts: type },
  });
}

describe('record timestamps in every common form', () => {
  const cases: [TimestampType, unknown, string, string?][] = [
    ['datetime', '2024-07-01T10:00:00Z', '2024-07-01T10:00:00.000Z'],
    ['datetime', '2024-07-01T12:00:00+02:00', '2024-07-01T10:00:00.000Z'],
    ['datetime', '2024-07-01T06:00:00.250-04:00', '2024-07-01T10:00:00.250Z'],
    ['datetime-local', '2024-07-01T10:00:00', '2024-07-01T10:00:00.000Z'],
    ['datetime-local', '2024-07-01 10:00:00', '2024-07-01T10:00:00.000Z'],
    ['datetime-local', '2024-07-01T12:00:00', '2024-07-01T10:00:00.000Z', 'Europe/Berlin'],
    ['datetime-local', '2024-01-15T12:00:00', '2024-01-15T11:00:00.000Z', 'Europe/Berlin'],
    ['datetime-local', '2024-07-01T05:30:00', '2024-07-01T10:00:00.000Z', '-04:30'],
    ['date', '2024-07-01', '2024-07-01T00:00:00.000Z'],
    ['date', '2024-07-01', '2024-06-30T22:00:00.000Z', 'Europe/Berlin'],
    ['epoch-seconds', 1719828000, '2024-07-01T10:00:00.000Z'],
    ['epoch-seconds', '1719828000', '2024-07-01T10:00:00.000Z'],
    ['epoch-seconds', 1719828000.5, '2024-07-01T10:00:00.500Z'],
    ['epoch-millis', 1719828000123, '2024-07-01T10:00:00.123Z'],
    ['epoch-millis', '1719828000123', '2024-07-01T10:00:00.123Z'],
  ];
  for (const [type, value, expected, tz] of cases) {
    it(`${type} ${JSON.stringify(value)}${tz ? ` in ${tz}` : ''} is ${expected}`, () => {
      expect(new Date(readTimestamp(value, type, tz ? zone(tz) : undefined)).toISOString()).to.equal(expected);
    });
  }

  it('a wall time in a daylight-saving change: skipped times move forward, repeated ones take the first', () => {
    const berlin = zone('Europe/Berlin');
    // 2024-03-31 02:30 does not exist in Berlin (clocks go 02:00 -> 03:00).
    expect(readTimestamp('2024-03-31T02:30:00', 'datetime-local', berlin)).to.equal(at('2024-03-31T01:30:00Z'));
    // 2024-10-27 02:30 happens twice (CEST, then CET).
    expect(readTimestamp('2024-10-27T02:30:00', 'datetime-local', berlin)).to.equal(at('2024-10-27T00:30:00Z'));
  });

  it('values not in the form, or no real time, read as NaN', () => {
    const bad: [TimestampType, unknown][] = [
      ['datetime', '2024-07-01T10:00:00'],
      ['datetime', '2024-02-30T10:00:00Z'],
      ['datetime', '2024-07-01T24:00:00Z'],
      ['datetime', 1719828000],
      ['datetime-local', '2024-07-01T10:00:00Z'],
      ['datetime-local', '2024-13-01T10:00:00'],
      ['date', '2024-07-01T00:00:00Z'],
      ['epoch-seconds', '1719828000s'],
      ['epoch-seconds', ''],
      ['epoch-seconds', null],
      ['epoch-seconds', Number.POSITIVE_INFINITY],
      ['epoch-seconds', 1e20],
      ['epoch-millis', '2024-07-01'],
    ];
    for (const [type, value] of bad) expect(readTimestamp(value, type), `${type} ${String(value)}`).to.be.NaN;
  });

  it('the schema validator and the fast check accept the new forms and refuse others alike', () => {
    const spec = { local: 'datetime-local', s: 'epoch-seconds', ms: 'epoch-millis' } as const;
    const zod = buildRecordValidator(spec);
    const fast = compileRecordCheck(spec);
    const good = { local: '2024-07-01T10:00:00', s: 1719828000, ms: '1719828000000' };
    expect(zod.safeParse(good).success).to.equal(true);
    expect(fast(good)).to.equal(true);
    for (const bad of [
      { ...good, local: '2024-07-01T10:00:00Z' },
      { ...good, s: 'yesterday' },
      { ...good, ms: true },
    ]) {
      expect(zod.safeParse(bad).success, JSON.stringify(bad)).to.equal(false);
      expect(fast(bad), JSON.stringify(bad)).to.equal(false);
    }
  });

  it('generated schemas give each form its column type', () => {
    const spec = { a: 'datetime', b: 'datetime-local', c: 'epoch-seconds', d: 'epoch-millis', e: 'date' };
    expect(bigQuerySchema(spec).map((f) => f.type)).to.deep.equal([
      'TIMESTAMP',
      'DATETIME',
      'TIMESTAMP',
      'INT64',
      'DATE',
    ]);
    const props = jsonSchema(spec).properties as Record<string, Record<string, unknown>>;
    expect(props.c).to.deep.include({ type: ['number', 'string'] });
    expect(props.b).to.have.property('pattern');
  });

  it('the config refuses a timestampField whose type is no time, and an unknown time zone', () => {
    expect(() => endpoint('boolean')).to.throw(
      /time type \(datetime, datetime-local, date, epoch-seconds, epoch-millis\)/,
    );
    expect(() => endpoint('epoch-seconds', 'Mars/Olympus')).to.throw(/IANA time zone/);
    expect(endpoint('epoch-seconds', '+05:30').timeZone).to.equal('+05:30');
  });
});

describe('the window check and the dt= partition read the parsed instant', () => {
  const window = { start: '2024-07-01T10:00:00.000Z', end: '2024-07-01T11:00:00.000Z' };
  const check = (ep: EndpointConfig, records: Record<string, unknown>[]) =>
    checkRecords(records, ep, { bounds: window, where: 'page 1', context: {} });

  const forms: [string, string, unknown, unknown, unknown][] = [
    // type, zone, the start instant, one second before it, the last second in the window
    ['epoch-seconds', 'UTC', 1719828000, 1719827999, '1719831599'],
    ['epoch-millis', 'UTC', 1719828000000, '1719827999999', 1719831599999],
    ['datetime-local', 'UTC', '2024-07-01T10:00:00', '2024-07-01T09:59:59', '2024-07-01T10:59:59'],
    ['datetime-local', 'America/New_York', '2024-07-01T06:00:00', '2024-07-01T05:59:59', '2024-07-01T06:59:59'],
    ['datetime', 'UTC', '2024-07-01T12:00:00+02:00', '2024-07-01T11:59:59+02:00', '2024-07-01T10:59:59Z'],
  ];
  for (const [type, tz, first, before, last] of forms) {
    it(`${type} in ${tz}: records on the start and in the window pass, one second before fails`, () => {
      const ep = endpoint(type, tz);
      expect(() =>
        check(ep, [
          { id: 1, ts: first },
          { id: 2, ts: last },
        ]),
      ).not.to.throw();
      expect(() => check(ep, [{ id: 3, ts: before }])).to.throw(TransientError, /outside the window/);
    });
  }

  it('the end instant itself is outside [start, end)', () => {
    expect(() => check(endpoint('epoch-seconds'), [{ id: 1, ts: 1719831600 }])).to.throw(TransientError);
  });

  it('a timestamp that is no real time is a permanent error naming the field', () => {
    expect(() => check(endpoint('datetime-local'), [{ id: 1, ts: '2024-02-30T10:00:00' }]))
      .to.throw(PermanentError, /ts="2024-02-30T10:00:00", which is no real time/)
      .and.not.to.be.instanceOf(ConfigError);
  });

  it('splits by the UTC date of the instant: epoch seconds and zoned wall times', () => {
    const epoch = endpoint('epoch-seconds');
    const parts = splitByDate(
      [
        { id: 1, ts: 1719878399 }, // 2024-07-01T23:59:59Z
        { id: 2, ts: '1719878400' }, // 2024-07-02T00:00:00Z
      ],
      'ts',
      timestampReader(epoch),
    );
    expect(parts.map((p) => [p.dt, p.records.length])).to.deep.equal([
      ['2024-07-01', 1],
      ['2024-07-02', 1],
    ]);
    const tokyo = splitByDate(
      [{ id: 1, ts: '2024-07-02T08:59:59' }],
      'ts',
      timestampReader(endpoint('datetime-local', 'Asia/Tokyo')),
    );
    expect(tokyo.map((p) => p.dt)).to.deep.equal(['2024-07-01']);
  });
});
