import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ConfigError, PermanentError, TransientError } from '@rdc/contracts';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { startGcsTestServer, type GcsTestServer, type NotFoundWords } from '../support/gcs-test-server.js';

const BUCKET = 'rdc-missing-bucket-test';
const PAGE = 'retail/sales/dt=2024-07-01/run=r1/page-000001.ndjson';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

/** How different servers word their 404s: the sink must not depend on any of them. */
const WORDINGS: [name: string, words: Partial<NotFoundWords>][] = [
  ['Cloud Storage', {}],
  ['the storage testbench', { bucket: (b) => `Bucket ${b} not found`, object: (b, n) => `Object ${b}/${n} not found` }],
  ['a bare proxy', { bucket: () => 'Not Found', object: () => 'Not Found' }],
  // Every 404 worded as a missing bucket: an object 404 must still mean a missing object.
  ['a proxy with one message', { object: () => 'The specified bucket does not exist.' }],
];

describe('GcsSink: a missing bucket is found by asking for the bucket', () => {
  for (const [name, words] of WORDINGS) {
    describe(`404s worded like ${name}`, () => {
      let server: GcsTestServer;
      let prefix: string;
      before(async () => {
        server = await startGcsTestServer({ buckets: [BUCKET], notFoundWords: words });
      });
      beforeEach(() => {
        prefix = `missing/${randomUUID()}`;
      });
      after(async () => {
        await server.close();
      });
      const makeSink = (bucket = BUCKET): GcsSink =>
        new GcsSink({ bucket, prefix, apiEndpoint: server.url, deadlineMs: 10_000 });

      it('every call on a missing bucket is a ConfigError naming it, the command to create it and --sink/RDC_SINK', async () => {
        const sink = makeSink('rdc-no-such-bucket');
        for (const call of [
          () => sink.putIfAbsent(PAGE, Buffer.from('x')),
          () => sink.put(PAGE, Buffer.from('x')),
          () => sink.get(PAGE),
          () => sink.exists(PAGE),
          () => sink.list(''),
        ]) {
          const error = await rejection(call());
          expect(error).to.be.instanceOf(ConfigError);
          expect(error.message)
            .to.include(`gs://rdc-no-such-bucket/${prefix}/`)
            .and.include('bucket gs://rdc-no-such-bucket does not exist')
            .and.include('gcloud storage buckets create gs://rdc-no-such-bucket')
            .and.include('--sink or RDC_SINK');
        }
      });

      it('a missing object in a bucket that exists is undefined and false, not an error', async () => {
        const sink = makeSink();
        expect(await sink.get(PAGE)).to.equal(undefined);
        expect(await sink.exists(PAGE)).to.equal(false);
        await sink.put('_state/w.json', Buffer.from('1'));
        expect(String(await sink.get('_state/w.json'))).to.equal('1');
      });
    });
  }

  describe('asking', () => {
    let server: GcsTestServer;
    let prefix: string;
    beforeEach(async () => {
      server = await startGcsTestServer({ buckets: [BUCKET] });
      prefix = `missing/${randomUUID()}`;
    });
    afterEach(async () => {
      await server.close();
    });
    const makeSink = (): GcsSink => new GcsSink({ bucket: BUCKET, prefix, apiEndpoint: server.url, deadlineMs: 4_000 });

    it('asks once for many missing objects, and again after a write 404 (a bucket deleted mid-run)', async () => {
      const sink = makeSink();
      const keys = Array.from({ length: 12 }, (_, i) => `p/page-${String(i).padStart(6, '0')}.ndjson`);
      expect(await Promise.all(keys.map((key) => sink.exists(key)))).to.deep.equal(keys.map(() => false));
      expect(await sink.get(PAGE)).to.equal(undefined);
      expect(server.stats.list).to.equal(1);

      server.buckets.delete(BUCKET);
      const error = await rejection(sink.putIfAbsent(PAGE, Buffer.from('x')));
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.message).to.include(`bucket gs://${BUCKET} does not exist`);
      expect(server.stats.list).to.equal(2);
    });

    it('when the question itself fails, says so instead of guessing', async () => {
      server.setHook(({ kind }) => (kind === 'list' ? { status: 403 } : undefined));
      const denied = await rejection(makeSink().exists(PAGE));
      expect(denied).to.be.instanceOf(PermanentError).and.not.instanceOf(ConfigError);
      expect(denied.message).to.include(`gs://${BUCKET}/${prefix}`).and.include('roles/storage.objectViewer');

      server.setHook(({ kind }) => (kind === 'list' ? { status: 503 } : undefined));
      const unavailable = await rejection(makeSink().get(PAGE));
      expect(unavailable).to.be.instanceOf(TransientError);
    });
  });
});
