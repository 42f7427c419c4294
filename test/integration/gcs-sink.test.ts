import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { ConfigError, PermanentError, TransientError } from '@rdc/contracts';
import { GcsSink, type GcsSinkOptions } from '@rdc/sinks/gcs-sink.js';
import { startGcsTestServer, type GcsTestServer, type RequestRecord } from '../support/gcs-test-server.js';

const BUCKET = 'rdc-gcs-sink-test';
const PAGE = 'retail/sales/dt=2024-07-01/run=r1/page-000001.ndjson';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

describe('GcsSink', () => {
  let server: GcsTestServer;
  let prefix: string;

  before(async () => {
    server = await startGcsTestServer({ buckets: [BUCKET] });
  });
  beforeEach(() => {
    prefix = `gcs-sink/${randomUUID()}`;
  });
  afterEach(() => {
    server.resetInjections();
  });
  after(async () => {
    await server.close();
  });

  const makeSink = (options: Partial<GcsSinkOptions> = {}): GcsSink =>
    new GcsSink({ bucket: BUCKET, prefix, apiEndpoint: server.url, deadlineMs: 10_000, ...options });
  const uploads = (key: string): RequestRecord[] =>
    server.requests.filter((r) => r.kind === 'upload' && r.query.name === `${prefix}/${key}`);
  const stored = (key: string) => server.object(BUCKET, `${prefix}/${key}`);

  describe('writing once', () => {
    it('sends a single-request upload with ifGenerationMatch=0, and counts a 412 on re-write as success', async () => {
      const sink = makeSink();
      expect(await sink.putIfAbsent(PAGE, Buffer.from('a\n'))).to.equal('created');
      const generation = stored(PAGE)?.generation;
      expect(await sink.putIfAbsent(PAGE, Buffer.from('b\n'))).to.equal('exists');
      expect(uploads(PAGE).map((r) => [r.query.uploadType, r.query.ifGenerationMatch, r.status])).to.deep.equal([
        ['multipart', '0', 200],
        ['multipart', '0', 412],
      ]);
      expect(stored(PAGE)?.generation).to.equal(generation);
      expect(String(stored(PAGE)?.data)).to.equal('a\n');
    });

    for (const failures of [1, 2]) {
      it(`retries ${failures} injected 503(s) on upload and lands the object once`, async () => {
        server.failNext(failures, 503, { kind: 'upload' });
        expect(await makeSink().putIfAbsent(PAGE, Buffer.from('x\n'))).to.equal('created');
        expect(uploads(PAGE).map((r) => r.status)).to.deep.equal([...Array<number>(failures).fill(503), 200]);
        expect(String(stored(PAGE)?.data)).to.equal('x\n');
      });
    }

    it('a lost response is our own write: the retry gets 412, the write id matches, the result is created', async () => {
      server.failNext(1, 503, { kind: 'upload', afterApply: true });
      expect(await makeSink().putIfAbsent(PAGE, Buffer.from('x\n'))).to.equal('created');
      expect(uploads(PAGE).map((r) => r.status)).to.deep.equal([503, 412]);
      expect(String(stored(PAGE)?.data)).to.equal('x\n');
    });

    it('an object with our write id but other bytes is a PermanentError naming it', async () => {
      let seen = 0;
      server.setHook(({ kind }) => {
        if (kind !== 'upload') return undefined;
        if (++seen === 1) return { status: 503, afterApply: true };
        // Between the lost reply and the retry, something rewrites the object's bytes in place.
        const object = stored(PAGE);
        if (object) object.data = Buffer.from('y\n');
        return undefined;
      });
      const error = await rejection(makeSink().putIfAbsent(PAGE, Buffer.from('x\n')));
      expect(error).to.be.instanceOf(PermanentError);
      expect(error.message).to.include(`gs://${BUCKET}/${prefix}/${PAGE}`).and.include('holds other bytes');
    });

    it('gives up on a persistent 503 with a TransientError naming the gs:// URL, within the deadline', async () => {
      server.setHook(({ kind }) => (kind === 'upload' ? { status: 503 } : undefined));
      const started = Date.now();
      const error = await rejection(makeSink({ deadlineMs: 4_000 }).putIfAbsent(PAGE, Buffer.from('x\n')));
      expect(Date.now() - started).to.be.below(4_000);
      expect(error).to.be.instanceOf(TransientError);
      expect(error.message).to.include(`gs://${BUCKET}/${prefix}/${PAGE}`).and.include('503');
      expect((error as TransientError).context).to.include({ status: 503, path: `gs://${BUCKET}/${prefix}/${PAGE}` });
      expect(uploads(PAGE).length).to.be.at.least(2);
      expect(stored(PAGE)).to.equal(undefined);
    });

    it('ends persistent 503s on reads with the real error, before the deadline', async () => {
      server.setHook(({ kind }) => (kind === 'upload' ? undefined : { status: 503 }));
      const sink = makeSink({ deadlineMs: 6_000 });
      for (const call of [() => sink.exists(PAGE), () => sink.get(PAGE), () => sink.list('')]) {
        const started = Date.now();
        const error = await rejection(call());
        expect(Date.now() - started).to.be.below(6_000);
        expect(error).to.be.instanceOf(TransientError);
        expect((error as TransientError).context.status).to.equal(503);
      }
    });

    it('gives up on an upload that never answers with a TransientError, within the deadline', async () => {
      server.setHook(({ kind }) => (kind === 'upload' ? { status: 0, hang: true } : undefined));
      const started = Date.now();
      const error = await rejection(makeSink({ deadlineMs: 4_000 }).putIfAbsent(PAGE, Buffer.from('x\n')));
      expect(Date.now() - started).to.be.below(4_500);
      expect(error).to.be.instanceOf(TransientError);
      expect(error.message).to.include(`gs://${BUCKET}/${prefix}/${PAGE}`);
    });
  });

  describe('object properties', () => {
    it('stores the content type and the custom metadata, plus the id of the write-once call', async () => {
      const metadata = { runId: 'r1', page: '1', records: '2' };
      await makeSink().putIfAbsent(PAGE, Buffer.from('{}\n{}\n'), { contentType: 'application/x-ndjson', metadata });
      await makeSink().putIfAbsent('_state/x.json', Buffer.from('{}'), { contentType: 'application/json' });
      await makeSink().putIfAbsent('plain.ndjson', Buffer.from('{}'));
      expect(stored(PAGE)).to.deep.include({ contentType: 'application/x-ndjson', contentEncoding: undefined });
      expect(stored(PAGE)?.metadata).to.deep.equal({
        ...metadata,
        rdcWriteId: stored(PAGE)?.metadata?.rdcWriteId,
      });
      expect(stored(PAGE)?.metadata?.rdcWriteId).to.match(/^[0-9a-f-]{36}$/);
      expect(stored('_state/x.json')?.contentType).to.equal('application/json');
      expect(stored('plain.ndjson')?.contentType).to.equal('application/x-ndjson');
    });

    it('gzip: compresses NDJSON, stores it with Content-Encoding gzip, and get returns the stored bytes', async () => {
      const sink = makeSink({ gzip: true });
      const ndjson = Buffer.from('{"a":1}\n'.repeat(100));
      await sink.putIfAbsent(PAGE, ndjson);
      const object = stored(PAGE);
      expect(object?.contentEncoding).to.equal('gzip');
      expect(object?.data.length).to.be.below(ndjson.length);
      expect(gunzipSync(object?.data ?? Buffer.alloc(0))).to.deep.equal(ndjson);
      expect(await sink.get(PAGE)).to.deep.equal(object?.data);
      const download = server.requests.filter((r) => r.kind === 'download').at(-1);
      expect(download?.status).to.equal(200);
    });

    it('gzip: leaves JSON state and bodies that are already compressed as they are', async () => {
      const sink = makeSink({ gzip: true });
      const compressed = gzipSync(Buffer.from('{"a":1}\n'));
      await sink.putIfAbsent('page-000002.ndjson.gz', compressed, { contentEncoding: 'gzip' });
      await sink.put('_state/watermark.json', Buffer.from('{"v":1}'), { contentType: 'application/json' });
      expect(stored('page-000002.ndjson.gz')).to.deep.include({ data: compressed, contentEncoding: 'gzip' });
      expect(String(await sink.get('_state/watermark.json'))).to.equal('{"v":1}');
      expect(stored('_state/watermark.json')?.contentEncoding).to.equal(undefined);
    });
  });

  describe('put', () => {
    it('replaces with ifGenerationMatch on the current generation, and is retried on 503', async () => {
      const sink = makeSink();
      await sink.put('_state/w.json', Buffer.from('1'));
      const first = stored('_state/w.json')?.generation;
      server.failNext(1, 503, { kind: 'upload' });
      await sink.put('_state/w.json', Buffer.from('2'));
      expect(String(stored('_state/w.json')?.data)).to.equal('2');
      expect(uploads('_state/w.json').map((r) => [r.query.ifGenerationMatch, r.status])).to.deep.equal([
        ['0', 200],
        [first, 503],
        [first, 200],
      ]);
    });

    it('does not switch off retries for later uploads on the same client', async () => {
      const sink = makeSink();
      await sink.put('_state/w.json', Buffer.from('1'));
      server.failNext(1, 503, { kind: 'upload' });
      expect(await sink.putIfAbsent(PAGE, Buffer.from('x'))).to.equal('created');
      expect(uploads(PAGE).map((r) => r.status)).to.deep.equal([503, 200]);
    });
  });

  describe('errors', () => {
    it('403 is a PermanentError with the IAM role to grant', async () => {
      server.failNext(1, 403, { kind: 'upload' });
      const error = await rejection(makeSink().putIfAbsent(PAGE, Buffer.from('x')));
      expect(error).to.be.instanceOf(PermanentError).and.not.instanceOf(ConfigError);
      expect(error.message).to.include(`gs://${BUCKET}/${prefix}/${PAGE}`).and.include('roles/storage.objectCreator');
      expect(uploads(PAGE)).to.have.length(1);
    });

    it('checks its options', () => {
      expect(() => new GcsSink({ bucket: 'Bad_Bucket' })).to.throw(ConfigError, /Bad_Bucket/);
      expect(() => new GcsSink({ bucket: BUCKET, deadlineMs: 100 })).to.throw(ConfigError, /deadlineMs/);
      expect(() => new GcsSink({ bucket: BUCKET, prefix: 'a/../b' })).to.throw(ConfigError, /prefix/);
      expect(() => new GcsSink({ bucket: BUCKET, apiEndpoint: 'ftp://x' })).to.throw(ConfigError, /apiEndpoint/);
    });
  });

  it('lists across pages, following nextPageToken', async () => {
    const paged = await startGcsTestServer({ buckets: [BUCKET], pageSize: 2 });
    try {
      const sink = new GcsSink({ bucket: BUCKET, prefix, apiEndpoint: paged.url, deadlineMs: 10_000 });
      const keys = ['a/5', 'a/1', 'a/3', 'a/2', 'a/4', 'b/1'].map((k) => `${k}.ndjson`);
      for (const key of keys) await sink.putIfAbsent(key, Buffer.from(key));
      expect(await sink.list('a/')).to.deep.equal([
        'a/1.ndjson',
        'a/2.ndjson',
        'a/3.ndjson',
        'a/4.ndjson',
        'a/5.ndjson',
      ]);
      expect(paged.stats.list).to.equal(3);
    } finally {
      await paged.close();
    }
  });

  describe('STORAGE_EMULATOR_HOST', () => {
    let saved: string | undefined;
    beforeEach(() => {
      saved = process.env.STORAGE_EMULATOR_HOST;
    });
    afterEach(() => {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    });

    for (const form of ['url', 'url/', 'url/storage/v1', 'host:port']) {
      it(`is used when no apiEndpoint is given (${form}), with JSON API calls under /storage/v1`, async () => {
        const host = server.url.replace(/^http:\/\//, '');
        process.env.STORAGE_EMULATOR_HOST = form === 'host:port' ? host : form.replace('url', server.url);
        const sink = new GcsSink({ bucket: BUCKET, prefix, deadlineMs: 10_000 });
        const before = server.requests.length;
        expect(await sink.putIfAbsent(PAGE, Buffer.from('x\n'))).to.equal('created');
        expect(await sink.exists(PAGE)).to.equal(true);
        expect(String(await sink.get(PAGE))).to.equal('x\n');
        expect(await sink.list('')).to.deep.equal([PAGE]);
        const mine = server.requests.slice(before);
        expect(mine.map((r) => [r.kind, r.status])).to.deep.equal([
          ['upload', 200],
          ['metadata', 200],
          ['download', 200],
          ['list', 200],
        ]);
      });
    }

    it('an explicit apiEndpoint wins over it', async () => {
      process.env.STORAGE_EMULATOR_HOST = 'http://127.0.0.1:9'; // nothing listens there
      const sink = makeSink();
      expect(await sink.putIfAbsent(PAGE, Buffer.from('x\n'))).to.equal('created');
      expect(await sink.exists(PAGE)).to.equal(true);
      expect(await sink.list('')).to.deep.equal([PAGE]);
    });
  });
});
