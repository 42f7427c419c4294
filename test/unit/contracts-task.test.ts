import { expect } from 'chai';
import { decodeTask, encodeTask, MAX_TASK_BYTES, PermanentError, taskAttributes, type PageTask } from '@rdc/contracts';

export const sampleTask: PageTask = {
  v: 1,
  kind: 'page',
  runId: 'retail.sales.20240701T000000Z-20240702T000000Z',
  service: 'retail',
  endpoint: 'sales',
  window: { start: '2024-07-01T00:00:00.000Z', end: '2024-07-02T00:00:00.000Z' },
  pageSize: 250,
  page: 2,
  pages: 3,
  total: 501,
};

describe('task messages', () => {
  it('round-trips a page task and exposes console-readable attributes', () => {
    expect(decodeTask(encodeTask(sampleTask))).to.deep.equal(sampleTask);
    expect(taskAttributes(sampleTask)).to.deep.equal({
      runId: sampleTask.runId,
      service: 'retail',
      endpoint: 'sales',
      kind: 'page',
      page: '2',
    });
  });

  it('treats malformed messages as permanent, saying what is wrong', () => {
    expect(() => decodeTask(Buffer.from('not json'))).to.throw(PermanentError, 'not JSON');
    expect(() => decodeTask(Buffer.from(JSON.stringify({ ...sampleTask, page: 0 }))))
      .to.throw(PermanentError)
      .with.property('message')
      .that.includes('page');
    expect(() => decodeTask(Buffer.from(JSON.stringify({ ...sampleTask, service: '../../etc' })))).to.throw(
      PermanentError,
      'service',
    );
    expect(() => decodeTask(Buffer.from(JSON.stringify({ ...sampleTask, runId: '../x' })))).to.throw(
      PermanentError,
      'runId',
    );
    expect(() => decodeTask(Buffer.from(JSON.stringify({ ...sampleTask, extra: 1 })))).to.throw(PermanentError);
    expect(() => decodeTask(Buffer.alloc(MAX_TASK_BYTES + 1, 32))).to.throw(PermanentError, 'bytes');
  });

  it('rejects a window whose start is not before its end', () => {
    const bad = { ...sampleTask, window: { start: sampleTask.window.end, end: sampleTask.window.start } };
    expect(() => decodeTask(Buffer.from(JSON.stringify(bad)))).to.throw(PermanentError, 'start < end');
  });
});
