import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import sinon from 'sinon';
import { createLogger } from '@rdc/logging';
import { Progress, type ProgressExtras } from '@rdc/local/progress.js';

const RUN = 'retail.sales.20240701T000000Z-20240702T000000Z';

/** A progress reporter over 30 pages on a non-terminal stream, its log lines captured. */
function reporter(format: 'json' | 'pretty', tty = false) {
  const logStream = new PassThrough();
  const lines: string[] = [];
  logStream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const log = createLogger({ format, level: 'info', stream: logStream });
  const screen = Object.assign(new PassThrough(), { isTTY: tty, columns: 400 });
  let drawn = '';
  screen.on('data', (chunk: Buffer) => (drawn += chunk.toString('utf8')));
  const extras: ProgressExtras = { retries: 0, rateLimitWaits: 0, rateLimitWaitMs: 0, bytesWritten: 0 };
  const progress = new Progress({
    runId: RUN,
    total: 30,
    unit: 'pages',
    stream: screen,
    log,
    structured: format === 'json',
    intervalMs: 10_000,
    extras: () => ({ ...extras }),
  });
  return { progress, lines, extras, drawn: () => drawn };
}

/** Lets the PassThrough streams deliver what was written (they emit on the next tick). */
const flush = (clock: sinon.SinonFakeTimers) => clock.tickAsync(0);

describe('progress of npm start', () => {
  it('writes a line every interval when stderr is not a terminal, with rate, elapsed, ETA, retries, 429 waits and bytes', async () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2024, 6, 1) });
    const { progress, lines, extras } = reporter('pretty');
    progress.start();
    progress.counts.landed = 5;
    progress.counts.records = 1_250;
    await clock.tickAsync(9_999);
    expect(lines, 'nothing before the first interval').to.deep.equal([]);
    await clock.tickAsync(1);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('Progress 5/30 pages done, 0 failed; 0.5 pages/s, 125 records/s; elapsed 10s, ETA 50s');
    progress.counts.landed = 10;
    progress.counts.records = 2_500;
    Object.assign(extras, { retries: 3, rateLimitWaits: 2, rateLimitWaitMs: 4_000, bytesWritten: 1_234_567 });
    await clock.tickAsync(10_000);
    expect(lines).to.have.length(2);
    expect(lines[1]).to.include('10/30 pages done, 0 failed; 0.5 pages/s, 125 records/s; elapsed 20s, ETA 40s');
    expect(lines[1]).to.include('retries 3; 429 waits 2 (4.0 s); 1.2 MB written');
    progress.end();
    await flush(clock);
    expect(lines, 'a closing line').to.have.length(3);
    await clock.tickAsync(60_000);
    expect(lines, 'no line after the end').to.have.length(3);
  });

  it('counts dead-lettered pages as failures, never as progress', async () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2024, 6, 1) });
    const { progress, lines } = reporter('pretty');
    progress.start();
    progress.counts.landed = 28;
    progress.counts.deadLettered = 2;
    await clock.tickAsync(10_000);
    expect(lines[0]).to.include('Progress 28/30 pages done, 2 failed');
    expect(lines[0]).not.to.match(/30\/30/);
    // A run where every page failed shows no progress at all.
    const failed = reporter('pretty');
    failed.progress.start();
    failed.progress.counts.deadLettered = 30;
    await clock.tickAsync(10_000);
    expect(failed.lines[0]).to.include('Progress 0/30 pages done, 30 failed');
    progress.end();
    failed.progress.end();
  });

  it('says the ETA is unknown until a page is done', async () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2024, 6, 1) });
    const { progress, lines } = reporter('pretty');
    progress.start();
    await clock.tickAsync(10_000);
    expect(lines[0]).to.include('0/30 pages done, 0 failed; 0.0 pages/s, 0.0 records/s; elapsed 10s, ETA unknown');
    progress.end();
  });

  it('with JSON logs, each line carries the run id and its counts as fields at severity INFO', async () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2024, 6, 1) });
    const { progress, lines, extras } = reporter('json');
    progress.start();
    Object.assign(progress.counts, { landed: 20, alreadyLanded: 4, deadLettered: 1, records: 6_000 });
    Object.assign(extras, { retries: 1, rateLimitWaits: 3, rateLimitWaitMs: 2_500, bytesWritten: 4_096 });
    await clock.tickAsync(12_000);
    expect(lines).to.have.length(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).to.include({
      severity: 'INFO',
      runId: RUN,
      unit: 'pages',
      total: 30,
      done: 24,
      failed: 1,
      records: 6_000,
      elapsedSeconds: 10,
      perSecond: 2.4,
      recordsPerSecond: 600,
      etaSeconds: 3,
      retries: 1,
      rateLimitWaits: 3,
      rateLimitWaitSeconds: 2.5,
      bytesWritten: 4_096,
    });
    expect(entry.message).to.match(/^Progress 24\/30 pages done, 1 failed/);
    progress.end();
  });

  it('on a terminal keeps one live line with the same content, redrawn as time passes', async () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2024, 6, 1) });
    const { progress, lines, drawn } = reporter('pretty', true);
    progress.start();
    progress.counts.landed = 3;
    progress.counts.deadLettered = 1;
    await clock.tickAsync(10_000);
    const frames = drawn().split('\r').filter(Boolean);
    expect(frames.at(-1)).to.include('3/30 pages done, 1 failed;').and.include('elapsed 10s, ETA 1m27s');
    progress.end();
    await flush(clock);
    expect(drawn().endsWith('\n')).to.equal(true);
    expect(lines, 'no log lines beside the live line').to.deep.equal([]);
  });
});
