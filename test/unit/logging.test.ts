import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '@rdc/logging';
import { defaultLogFormat } from '@rdc/logging/logger.js';

function capture(format: 'json' | 'pretty') {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return { log: createLogger({ format, level: 'debug', base: { app: 'worker' }, stream }), lines };
}

describe('logging', () => {
  it('writes one Cloud Logging JSON entry per line, with severity, message, run and page ids', () => {
    const { log, lines } = capture('json');
    log
      .child({ runId: 'retail.sales.20240701T000000Z-20240702T000000Z', page: 3 })
      .warn('page 3/9 failed', { deliveryAttempt: 2 });
    log.error('boom');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).to.include({
      severity: 'WARNING',
      message: 'page 3/9 failed',
      runId: 'retail.sales.20240701T000000Z-20240702T000000Z',
      page: 3,
      deliveryAttempt: 2,
      app: 'worker',
    });
    expect(entry.time).to.be.a('string');
    expect((JSON.parse(lines[1]!) as { severity: string }).severity).to.equal('ERROR');
  });

  it('writes readable lines locally', () => {
    const { log, lines } = capture('pretty');
    log.info('Planned 9 pages', { runId: 'r1', records: 2000 });
    expect(lines[0]).to.match(/^\d\d:\d\d:\d\d INFO\s+Planned 9 pages {2}runId=r1 records=2000$/);
  });

  it('uses JSON on Cloud Run and readable lines elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(defaultLogFormat({ K_SERVICE: 'rdc-worker' })).to.equal('json');
    expect(defaultLogFormat({ CLOUD_RUN_JOB: 'rdc-planner' })).to.equal('json');
    expect(defaultLogFormat({})).to.equal('pretty');
    expect(defaultLogFormat({ K_SERVICE: 'x', LOG_FORMAT: 'pretty' })).to.equal('pretty');
  });

  it('refuses an unknown LOG_LEVEL, naming it', () => {
    expect(() => createLogger({ level: 'verbose' as 'info' })).to.throw('`verbose`');
  });
});
