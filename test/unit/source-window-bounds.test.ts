import { expect } from 'chai';
import { boundValues, ConfigError, formatBound, parseTimeZone, ServiceConfig, UTC } from '@rdc/contracts';
import { createHttpSource } from '@rdc/source';
import { type RawResponse } from '@rdc/source/transport.js';

const window = { start: new Date('2024-07-01T10:00:00Z'), end: new Date('2024-07-01T11:00:00Z') };

/** A service with one cursor endpoint whose `params` are the given ones. */
function service(params: Record<string, unknown>, timeZone = 'UTC'): ServiceConfig {
  return ServiceConfig.parse({
    service: 'shop',
    baseUrl: 'http://127.0.0.1:1/api',
    endpoints: {
      orders: {
        path: '/orders',
        timestampField: 'created',
        timeZone,
        params: { start: 'from', end: 'to', ...params },
        query: { status: 'any' },
        pagination: { style: 'starting-after', pageSize: 5 },
        schema: { id: 'string', created: 'epoch-seconds' },
      },
    },
  });
}

/** The query the source sends for the window's first request. */
async function firstQuery(config: ServiceConfig, w = window): Promise<URLSearchParams> {
  const urls: URL[] = [];
  const transport = (url: URL): Promise<RawResponse> => {
    urls.push(url);
    return Promise.resolve({ status: 200, headers: {}, body: JSON.stringify({ data: [], has_more: false }) });
  };
  const source = createHttpSource({ service: config }, transport);
  try {
    for await (const page of source.walkCursor('orders', w, 5)) expect(page.records).to.deep.equal([]);
  } finally {
    source.close();
  }
  expect(urls).to.have.length(1);
  return urls[0]!.searchParams;
}

describe('window bounds sent as the API reads them, so it selects exactly [start, end)', () => {
  const cases: [string, Record<string, unknown>, string, string, string?][] = [
    // Without a params block: ISO with milliseconds and Z, [start, end) as is.
    ['iso default', {}, '2024-07-01T10:00:00.000Z', '2024-07-01T11:00:00.000Z'],
    ['iso whole seconds', { format: 'iso', resolution: '1s' }, '2024-07-01T10:00:00Z', '2024-07-01T11:00:00Z'],
    ['epoch seconds [gte, lt)', { format: 'epoch-seconds' }, '1719828000', '1719831600'],
    [
      'epoch seconds (gt, lt): start − 1 s',
      { format: 'epoch-seconds', startBound: 'exclusive' },
      '1719827999',
      '1719831600',
    ],
    [
      'epoch seconds [gte, lte]: end − 1 s',
      { format: 'epoch-seconds', endBound: 'inclusive' },
      '1719828000',
      '1719831599',
    ],
    [
      'epoch millis (gt, lte]',
      { format: 'epoch-millis', startBound: 'exclusive', endBound: 'inclusive' },
      '1719827999999',
      '1719831599999',
    ],
    [
      'epoch millis at whole seconds',
      { format: 'epoch-millis', resolution: '1s', endBound: 'inclusive' },
      '1719828000000',
      '1719831599000',
    ],
    [
      'iso-offset, inclusive both, whole seconds (Shopify)',
      { format: 'iso-offset', endBound: 'inclusive', resolution: '1s' },
      '2024-07-01T10:00:00+00:00',
      '2024-07-01T10:59:59+00:00',
    ],
    [
      'iso-offset in a zone',
      { format: 'iso-offset', endBound: 'inclusive', resolution: '1s' },
      '2024-07-01T06:00:00-04:00',
      '2024-07-01T06:59:59-04:00',
      'America/New_York',
    ],
    [
      'iso-local, exclusive both, whole seconds (WooCommerce)',
      { format: 'iso-local', startBound: 'exclusive', resolution: '1s' },
      '2024-07-01T09:59:59',
      '2024-07-01T11:00:00',
    ],
    [
      'iso-local in a zone with milliseconds',
      { format: 'iso-local', startBound: 'exclusive' },
      '2024-07-01T11:59:59.999',
      '2024-07-01T13:00:00.000',
      'Europe/Berlin',
    ],
  ];
  for (const [name, params, start, end, tz] of cases) {
    it(`${name}: ${start} .. ${end}`, async () => {
      const query = await firstQuery(service(params, tz));
      expect(query.get('from')).to.equal(start);
      expect(query.get('to')).to.equal(end);
      expect(query.get('status')).to.equal('any');
      expect([...query.keys()].sort()).to.deep.equal(['from', 'limit', 'status', 'to']);
    });
  }

  it('dates: a day window asks for one date inclusive, or the next one exclusive, in the zone', async () => {
    const day = { start: new Date('2024-06-30T22:00:00Z'), end: new Date('2024-07-01T22:00:00Z') };
    const inclusive = await firstQuery(service({ format: 'date', endBound: 'inclusive' }, 'Europe/Berlin'), day);
    expect([inclusive.get('from'), inclusive.get('to')]).to.deep.equal(['2024-07-01', '2024-07-01']);
    const exclusive = await firstQuery(service({ format: 'date', startBound: 'exclusive' }, 'Europe/Berlin'), day);
    expect([exclusive.get('from'), exclusive.get('to')]).to.deep.equal(['2024-06-30', '2024-07-02']);
  });

  it('dates across a clock change: the day before is the calendar day before, not 24 hours back', async () => {
    // 31 March 2024 in Berlin is 23 hours long (CET to CEST).
    const day = { start: new Date('2024-03-30T23:00:00Z'), end: new Date('2024-03-31T22:00:00Z') };
    const inclusive = await firstQuery(service({ format: 'date', endBound: 'inclusive' }, 'Europe/Berlin'), day);
    expect([inclusive.get('from'), inclusive.get('to')]).to.deep.equal(['2024-03-31', '2024-03-31']);
    const exclusive = await firstQuery(service({ format: 'date', startBound: 'exclusive' }, 'Europe/Berlin'), day);
    expect([exclusive.get('from'), exclusive.get('to')]).to.deep.equal(['2024-03-30', '2024-04-01']);
    // 27 October 2024 is 25 hours long (CEST to CET).
    const autumn = { start: new Date('2024-10-26T22:00:00Z'), end: new Date('2024-10-27T23:00:00Z') };
    const fall = await firstQuery(
      service({ format: 'date', endBound: 'inclusive', startBound: 'exclusive' }, 'Europe/Berlin'),
      autumn,
    );
    expect([fall.get('from'), fall.get('to')]).to.deep.equal(['2024-10-26', '2024-10-27']);
  });

  it('a window off the resolution grid is refused: no value would ask for exactly it', async () => {
    const off = { start: new Date('2024-07-01T10:00:00.500Z'), end: new Date('2024-07-01T11:00:00Z') };
    let error: unknown;
    try {
      await firstQuery(service({ format: 'epoch-seconds' }), off);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect(String(error)).to.match(/window start 2024-07-01T10:00:00.500Z is not on a whole step of 1000 ms/);
    const hour = { start: new Date('2024-07-01T10:00:00Z'), end: new Date('2024-07-01T11:00:00Z') };
    const spec = {
      format: 'date' as const,
      start: 'inclusive' as const,
      end: 'exclusive' as const,
      resolutionMs: 86_400_000,
      zone: UTC,
    };
    expect(() => boundValues(hour, spec)).to.throw(ConfigError, /resolution/);
  });

  it('the config refuses a resolution finer than the format can write', () => {
    expect(() => service({ format: 'epoch-seconds', resolution: '500ms' })).to.throw(/whole seconds/);
    expect(() => service({ format: 'date', resolution: '1h' })).to.throw(/whole days/);
    expect(() => service({ startBound: 'open' })).to.throw(/inclusive|exclusive/);
  });

  it('formats an offset that changes with daylight saving time', () => {
    const berlin = parseTimeZone('Europe/Berlin')!;
    const spec = { format: 'iso-offset' as const, resolutionMs: 1000, zone: berlin };
    expect(formatBound(Date.parse('2024-01-15T11:00:00Z'), spec)).to.equal('2024-01-15T12:00:00+01:00');
    expect(formatBound(Date.parse('2024-07-15T10:00:00Z'), spec)).to.equal('2024-07-15T12:00:00+02:00');
  });
});
