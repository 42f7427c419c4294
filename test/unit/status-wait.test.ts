import { expect } from 'chai';
import { PermanentError, TransientError } from '@rdc/contracts';
import { waitUntil } from '@rdc/local/status/wait.js';

/** A clock that moves only when the wait sleeps or a read takes time. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => (t += ms),
    sleeps,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

describe('status --wait: the poll loop', () => {
  it('returns the first settled read, telling each new progress line once', async () => {
    const clock = fakeClock();
    const reads = ['2 missing', '2 missing', '1 missing', 'sealed'];
    const told: string[] = [];
    const result = await waitUntil(
      () => Promise.resolve(reads.shift()!),
      (v) => v === 'sealed',
      (v) => v,
      { pollMs: 2000, timeoutMs: 60_000, now: clock.now, sleep: clock.sleep, onProgress: (l) => told.push(l) },
    );
    expect(result).to.deep.equal({ last: 'sealed', timedOut: false });
    expect(told).to.deep.equal(['2 missing', '1 missing']);
    expect(clock.sleeps).to.deep.equal([2000, 2000, 2000]);
  });

  it('times out with the last read, never sleeping past the deadline', async () => {
    const clock = fakeClock();
    const result = await waitUntil(
      () => Promise.resolve('5 missing'),
      () => false,
      (v) => v,
      { pollMs: 2000, timeoutMs: 5000, now: clock.now, sleep: clock.sleep },
    );
    expect(result).to.deep.equal({ last: '5 missing', timedOut: true });
    expect(clock.sleeps).to.deep.equal([2000, 2000, 1000]);
  });

  it('reads a run that is slow to read less often: four times as long as the read took', async () => {
    const clock = fakeClock();
    let reads = 0;
    await waitUntil(
      () => {
        clock.advance(3000);
        return Promise.resolve(++reads);
      },
      (n) => n === 3,
      String,
      { pollMs: 2000, timeoutMs: 600_000, now: clock.now, sleep: clock.sleep },
    );
    expect(clock.sleeps).to.deep.equal([12_000, 12_000]);
  });

  it('reads again after a retryable failure, saying so; any other failure ends the wait', async () => {
    const clock = fakeClock();
    const told: string[] = [];
    const reads: (() => Promise<string>)[] = [
      () => Promise.resolve('2 missing'),
      () => Promise.reject(new TransientError('Cloud Storage answered 503')),
      () => Promise.resolve('sealed'),
    ];
    const result = await waitUntil(
      () => reads.shift()!(),
      (v) => v === 'sealed',
      (v) => v,
      { pollMs: 2000, timeoutMs: 60_000, now: clock.now, sleep: clock.sleep, onProgress: (l) => told.push(l) },
    );
    expect(result.last).to.equal('sealed');
    expect(told).to.deep.equal([
      '2 missing',
      'reading failed, trying again in 2 s: Cloud Storage answered 503',
      '2 missing',
    ]);
    const failing = waitUntil(
      (() => {
        let n = 0;
        return () => (n++ === 0 ? Promise.resolve('2 missing') : Promise.reject(new PermanentError('403 Forbidden')));
      })(),
      () => false,
      (v) => v,
      { pollMs: 2000, timeoutMs: 60_000, now: clock.now, sleep: clock.sleep },
    );
    await failing.then(
      () => expect.fail('a permanent error ends the wait'),
      (error: unknown) => expect(String(error)).to.include('403 Forbidden'),
    );
  });
});
