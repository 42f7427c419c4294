import { expect } from 'chai';
import {
  decodeTask,
  encodeTask,
  isRetryable,
  MAX_TASK_BYTES,
  PermanentError,
  TASK_VERSION,
  taskAttributes,
  UnsupportedTaskVersionError,
  type PageTask,
} from '@rdc/contracts';

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

  it('refuses a task of a newer message version by name, permanently, before reading its fields', () => {
    // A newer planner may add fields or change meanings: the version is checked first.
    const newer = { ...sampleTask, v: TASK_VERSION + 1, pageSize: 1000, cursorHint: 'x' };
    const decode = () => decodeTask(Buffer.from(JSON.stringify(newer)), 'Message m-1');
    expect(decode).to.throw(UnsupportedTaskVersionError);
    try {
      decode();
    } catch (error) {
      expect(error).to.be.instanceOf(PermanentError);
      expect(isRetryable(error)).to.equal(false);
      const e = error as UnsupportedTaskVersionError;
      expect(e.name).to.equal('UnsupportedTaskVersionError');
      expect(e.taskVersion).to.equal(TASK_VERSION + 1);
      expect(e.context.runId).to.equal(sampleTask.runId);
      expect(e.message).to.include(`message version ${TASK_VERSION + 1}`);
      expect(e.message).to.include(`reads version ${TASK_VERSION}`);
      expect(e.message).to.include('Message m-1');
      expect(e.message).to.include('Deploy the worker image');
    }
  });

  it('reads its own version, and treats a missing, older or non-integer version as malformed', () => {
    expect(decodeTask(encodeTask(sampleTask)).v).to.equal(TASK_VERSION);
    for (const v of [undefined, 0, 1.5, '2', null]) {
      const raw = { ...sampleTask, v };
      expect(() => decodeTask(Buffer.from(JSON.stringify(raw))), `v=${String(v)}`)
        .to.throw(PermanentError)
        .and.not.be.instanceOf(UnsupportedTaskVersionError);
    }
  });
});
