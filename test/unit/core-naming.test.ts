import { expect } from 'chai';
import { PermanentError, RUN_ID_PATTERN } from '@rdc/contracts';
import { dataKey, makeRunId, pageStem, parseRunId, stateKey, successKey } from '@rdc/core';
import { deadLetterKey, manifestKey, pageRecordKey, slicePageStem } from '@rdc/core/bucket-layout.js';

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

  it('lays out data under Hive-style dt= and run= folders only, the same on every re-plan', () => {
    const run = { service: 'retail', endpoint: 'sales', runId: makeRunId('retail', 'sales', window), window };
    expect(dataKey(run, '2024-07-02', pageStem(1))).to.equal(
      'retail/sales/dt=2024-07-02/run=retail.sales.20240701T000000Z-20241127T050000Z/page-000001.ndjson',
    );
    expect(dataKey(run, '2024-07-02', pageStem(120), true)).to.match(/\/page-000120\.ndjson\.gz$/);
    expect(dataKey(run, '2024-07-02', slicePageStem(3, 1))).to.match(/\/page-s000003-000001\.ndjson$/);
    const replanned = { ...run, window: { ...window } };
    expect(dataKey(replanned, '2024-07-02', pageStem(7))).to.equal(dataKey(run, '2024-07-02', pageStem(7)));
  });

  it('keeps every bookkeeping object under _rdc/, outside the table folder', () => {
    const run = { service: 'retail', endpoint: 'sales', runId: makeRunId('retail', 'sales', window), window };
    const folder = `_rdc/runs/retail/sales/run=${run.runId}/`;
    expect(manifestKey(run)).to.equal(`${folder}manifest.json`);
    expect(successKey(run)).to.equal(`${folder}_SUCCESS`);
    expect(pageRecordKey(run, pageStem(3))).to.equal(`${folder}pages/page-000003.json`);
    expect(deadLetterKey(run, 3)).to.equal(
      '_rdc/deadletter/retail/sales/run=retail.sales.20240701T000000Z-20241127T050000Z/page-000003.json',
    );
    expect(stateKey('retail', 'sales', 'watermark.json')).to.equal('_rdc/state/retail/sales/watermark.json');
  });

  it('sorts page files in page order', () => {
    const run = { service: 'retail', endpoint: 'sales', runId: makeRunId('retail', 'sales', window), window };
    const keys = [10, 2, 100, 1].map((p) => dataKey(run, '2024-07-01', pageStem(p)));
    expect([...keys].sort()).to.deep.equal([1, 2, 10, 100].map((p) => dataKey(run, '2024-07-01', pageStem(p))));
  });
});
