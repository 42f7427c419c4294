import { expect } from 'chai';
import { PermanentError } from '@rdc/contracts';
import { parseRunId, walkCheckpointKey } from '@rdc/core/bucket-layout.js';
import { loadWalk, SEEN_CHUNK, WalkCheckpoints } from '@rdc/core/state/walk-checkpoint.js';
import { MemorySink } from '../support/fakes.js';

const run = parseRunId('shop.orders.20240701T000000Z-20240702T000000Z');
const window = { start: '2024-07-01T00:00:00.000Z', end: '2024-07-01T06:00:00.000Z' };
const ref = { run, slice: 1, window, where: 'run shop.orders… slice 1/4' };
const at = (page: number) => ({ page, next: { kind: 'cursor' as const, value: `c${page}` }, key: `k${page}` });

describe('walk checkpoints (where a cursor walk resumes)', () => {
  it('keeps every loop key of a long walk while each checkpoint stays small', async () => {
    const sink = new MemorySink();
    const checkpoints = new WalkCheckpoints(sink, ref);
    const steps = SEEN_CHUNK * 2 + 7;
    for (let page = 1; page <= steps; page++)
      await checkpoints.save({ at: at(page), pages: page, records: page * 10, boundFrom: 0 });
    const key = walkCheckpointKey(run, 1);
    expect(sink.objects.get(key)!.body.length, 'checkpoint bytes').to.be.below(1000);

    const saved = await loadWalk(sink, ref);
    expect(saved).to.deep.include({ at: at(steps), pages: steps, records: steps * 10, boundFrom: 0 });
    expect(saved!.seen).to.deep.equal(Array.from({ length: steps }, (_, i) => `k${i + 1}`));

    // A resumed walk saves on from there: no key lost or repeated.
    const resumed = new WalkCheckpoints(sink, ref, saved);
    for (let page = steps + 1; page <= SEEN_CHUNK * 3 + 1; page++)
      await resumed.save({ at: at(page), pages: page, records: 0, boundFrom: 4 });
    const again = await loadWalk(sink, ref);
    expect(again!.seen).to.deep.equal(Array.from({ length: SEEN_CHUNK * 3 + 1 }, (_, i) => `k${i + 1}`));
    expect(again!.boundFrom).to.equal(4);
  });

  it('a checkpoint that cannot be read, or belongs to another slice, fails naming the file and how to start over', async () => {
    const sink = new MemorySink();
    expect(await loadWalk(sink, ref)).to.equal(undefined);
    await sink.put(walkCheckpointKey(run, 1), Buffer.from('{"v":1,'));
    const unreadable = await loadWalk(sink, ref).catch((e: unknown) => e);
    expect(unreadable).to.be.instanceOf(PermanentError);
    expect((unreadable as Error).message)
      .to.include(`mem://test/${walkCheckpointKey(run, 1)}`)
      .and.include('to walk the slice from its start');

    await new WalkCheckpoints(sink, { ...ref, window: { ...window, end: '2024-07-01T12:00:00.000Z' } }).save({
      at: at(1),
      pages: 1,
      records: 1,
      boundFrom: 0,
    });
    const foreign = await loadWalk(sink, ref).catch((e: unknown) => e);
    expect((foreign as Error).message)
      .to.include('not of this slice')
      .and.include('Remove it');
  });
});
