import { expect } from 'chai';
import { PermanentError, RUN_ID_PATTERN } from '@rdc/contracts';
import { deadLetterKey, makeRunId, manifestKey, pageKey, parseRunId, successKey } from '@rdc/core';

const window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-11-27T05:00:00Z') };

describe('object naming', () => {
  it('derives the run id from service, endpoint and window', () => {
    const id = makeRunId('retail', 'sales', window);
    expect(id).to.equal('retail.sales.20240701T000000Z-20241127T050000Z');
    expect(makeRunId('retail', 'sales', { ...window })).to.equal(id);
    expect(makeRunId('retail', 'customers', window)).to.not.equal(id);
    expect(makeRunId('retail', 'sales', { ...window, end: new Date('2024-11-27T06:00:00Z') })).to.not.equal(id);
  });

  it('keeps milliseconds so distinct windows never share a run id', () => {
    const a = makeRunId('retail', 'sales', { start: new Date('2024-07-01T00:00:00.001Z'), end: window.end });
    expect(a).to.equal('retail.sales.20240701T000000001Z-20241127T050000Z');
    expect(RUN_ID_PATTERN.test(a)).to.equal(true);
  });

  it('reads a run id back into its identity', () => {
    const id = makeRunId('retail', 'sales', { start: new Date('2024-07-01T00:00:00.120Z'), end: window.end });
    const parsed = parseRunId(id);
    expect(parsed.service).to.equal('retail');
    expect(parsed.endpoint).to.equal('sales');
    expect(parsed.window.start.toISOString()).to.equal('2024-07-01T00:00:00.120Z');
    expect(parsed.window.end.toISOString()).to.equal('2024-11-27T05:00:00.000Z');
  });

  it('rejects run ids that could steer a path', () => {
    for (const bad of ['../etc', 'retail.sales.x', 'retail/sales.20240701T000000Z-20241127T050000Z', '']) {
      expect(() => parseRunId(bad), bad).to.throw(PermanentError, 'not a run id');
    }
  });

  it('lays out pages under Hive-style dt= and run= folders, the same on every re-plan', () => {
    const run = { service: 'retail', endpoint: 'sales', runId: makeRunId('retail', 'sales', window), window };
    expect(pageKey(run, 1)).to.equal(
      'retail/sales/dt=2024-07-01/run=retail.sales.20240701T000000Z-20241127T050000Z/page-000001.ndjson',
    );
    expect(pageKey(run, 120, true)).to.match(/\/page-000120\.ndjson\.gz$/);
    expect(pageKey({ ...run, window: { ...window } }, 7)).to.equal(pageKey(run, 7));
    expect(manifestKey(run)).to.match(/\/run=[^/]+\/_manifest\.json$/);
    expect(successKey(run)).to.match(/\/run=[^/]+\/_SUCCESS$/);
    expect(deadLetterKey(run, 3)).to.equal(
      '_deadletter/retail/sales/run=retail.sales.20240701T000000Z-20241127T050000Z/page-000003.json',
    );
  });

  it('sorts page files in page order', () => {
    const run = { service: 'retail', endpoint: 'sales', runId: makeRunId('retail', 'sales', window), window };
    const keys = [10, 2, 100, 1].map((p) => pageKey(run, p));
    expect([...keys].sort()).to.deep.equal([1, 2, 10, 100].map((p) => pageKey(run, p)));
  });
});
