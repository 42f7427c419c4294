import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { expect } from 'chai';
import { PermanentError, type Sink } from '@rdc/contracts';
import { FileSink } from '@rdc/sinks';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { tempDir } from '../support/hooks.js';

interface MadeSink {
  sink: Sink;
  cleanup: () => void | Promise<void>;
  /** The next write-once lands, but its caller is told it failed and retries (a reply lost on the way back). */
  loseNextWriteReply: () => void;
}

const INVALID_KEYS = ['../x', '/abs', 'a//b', 'a/../b', '', 'a/./b', 'a/', 'a b', '.hidden', 'a\\b'];

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

/** The behaviour every Sink must have. Each test gets a fresh, empty sink from `makeSink`. */
export function sinkContract(name: string, makeSink: () => MadeSink | Promise<MadeSink>): void {
  describe(`Sink contract: ${name}`, () => {
    let made: MadeSink;
    let sink: Sink;

    beforeEach(async () => {
      made = await makeSink();
      sink = made.sink;
    });
    afterEach(async () => {
      await made.cleanup();
    });

    it('returns the exact bytes written under a key', async () => {
      const body = Buffer.concat([
        Buffer.from('{"a":"ü"}\n', 'utf8'),
        Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      ]);
      expect(await sink.putIfAbsent('retail/sales/dt=2024-07-01/run=r1/page-000001.ndjson', body)).to.equal('created');
      expect(await sink.get('retail/sales/dt=2024-07-01/run=r1/page-000001.ndjson')).to.deep.equal(body);
      expect(await sink.exists('retail/sales/dt=2024-07-01/run=r1/page-000001.ndjson')).to.equal(true);
    });

    it('delete removes an object (a missing one is no error) and the key can be written again', async () => {
      await sink.putIfAbsent('gone/run=r1/page-000001.ndjson', Buffer.from('old\n'));
      await sink.putIfAbsent('gone/run=r1/page-000002.ndjson', Buffer.from('kept\n'));
      await sink.delete('gone/run=r1/page-000001.ndjson');
      await sink.delete('gone/run=r1/page-000009.ndjson');
      expect(await sink.exists('gone/run=r1/page-000001.ndjson')).to.equal(false);
      expect(await sink.list('gone/')).to.deep.equal(['gone/run=r1/page-000002.ndjson']);
      expect(await sink.putIfAbsent('gone/run=r1/page-000001.ndjson', Buffer.from('new\n'))).to.equal('created');
    });

    it('stores an empty body', async () => {
      expect(await sink.putIfAbsent('empty/page-000001.ndjson', new Uint8Array(0))).to.equal('created');
      expect(await sink.get('empty/page-000001.ndjson')).to.deep.equal(Buffer.alloc(0));
    });

    it('putIfAbsent writes once: created, then exists, and the first bytes stay', async () => {
      expect(await sink.putIfAbsent('p/page-000001.ndjson', Buffer.from('first\n'))).to.equal('created');
      expect(await sink.putIfAbsent('p/page-000001.ndjson', Buffer.from('second\n'))).to.equal('exists');
      expect(String(await sink.get('p/page-000001.ndjson'))).to.equal('first\n');
    });

    it("a write whose reply was lost is still this call's: created once, and the next call gets exists", async () => {
      made.loseNextWriteReply();
      expect(await sink.putIfAbsent('lost/page-000001.ndjson', Buffer.from('mine\n'))).to.equal('created');
      expect(String(await sink.get('lost/page-000001.ndjson'))).to.equal('mine\n');
      expect(await sink.putIfAbsent('lost/page-000001.ndjson', Buffer.from('mine\n'))).to.equal('exists');
    });

    it('the same bytes from another call are exists: only the call that wrote an object gets created', async () => {
      expect(await sink.putIfAbsent('same/page-000001.ndjson', Buffer.from('same\n'))).to.equal('created');
      made.loseNextWriteReply();
      expect(await sink.putIfAbsent('same/page-000001.ndjson', Buffer.from('same\n'))).to.equal('exists');
    });

    it('of concurrent putIfAbsent calls on one key, exactly one creates it', async () => {
      const bodies = Array.from({ length: 6 }, (_, i) => Buffer.from(`writer ${i}\n`));
      const results = await Promise.all(bodies.map((body) => sink.putIfAbsent('race/page-000001.ndjson', body)));
      expect(results.filter((r) => r === 'created')).to.have.length(1);
      expect(results.filter((r) => r === 'exists')).to.have.length(5);
      expect(await sink.get('race/page-000001.ndjson')).to.deep.equal(bodies[results.indexOf('created')]);
    });

    it('get and exists on a missing key give undefined and false', async () => {
      expect(await sink.get('missing/page-000001.ndjson')).to.equal(undefined);
      expect(await sink.exists('missing/page-000001.ndjson')).to.equal(false);
    });

    it('lists keys under a prefix, recursively, in lexical order', async () => {
      const keys = [
        'r/dt=2024-07-02/run=b/page-000001.ndjson',
        'r/dt=2024-07-01/run=a/page-000010.ndjson',
        'other/x.json',
        'r/dt=2024-07-01/run=a/page-000002.ndjson',
        'r2/x.json',
        'r/dt=2024-07-01/run=a/_manifest.json',
      ];
      for (const key of keys) await sink.putIfAbsent(key, Buffer.from(key));
      expect(await sink.list('r/')).to.deep.equal([
        'r/dt=2024-07-01/run=a/_manifest.json',
        'r/dt=2024-07-01/run=a/page-000002.ndjson',
        'r/dt=2024-07-01/run=a/page-000010.ndjson',
        'r/dt=2024-07-02/run=b/page-000001.ndjson',
      ]);
      expect(await sink.list('r/dt=2024-07-01/run=a/page-')).to.deep.equal([
        'r/dt=2024-07-01/run=a/page-000002.ndjson',
        'r/dt=2024-07-01/run=a/page-000010.ndjson',
      ]);
      expect(await sink.list('r'))
        .to.include('r2/x.json')
        .and.to.have.length(5);
      expect(await sink.list('')).to.deep.equal([...keys].sort());
      expect(await sink.list('missing/')).to.deep.equal([]);
    });

    it('rejects invalid keys with a PermanentError and writes nothing', async () => {
      for (const key of INVALID_KEYS) {
        for (const call of [
          () => sink.putIfAbsent(key, Buffer.from('x')),
          () => sink.put(key, Buffer.from('x')),
          () => sink.get(key),
          () => sink.exists(key),
        ]) {
          const error = await rejection(call());
          expect(error, JSON.stringify(key)).to.be.instanceOf(PermanentError);
          expect((error as Error).message).to.include(JSON.stringify(key));
        }
      }
      expect(await rejection(sink.list('../'))).to.be.instanceOf(PermanentError);
      expect(await sink.list('')).to.deep.equal([]);
    });

    it('put creates, then replaces; putIfAbsent after it keeps the put bytes', async () => {
      await sink.put('_state/retail/sales/watermark.json', Buffer.from('{"v":1}\n'), {
        contentType: 'application/json',
      });
      await sink.put('_state/retail/sales/watermark.json', Buffer.from('{"v":2}\n'), {
        contentType: 'application/json',
      });
      expect(String(await sink.get('_state/retail/sales/watermark.json'))).to.equal('{"v":2}\n');
      expect(await sink.putIfAbsent('_state/retail/sales/watermark.json', Buffer.from('{"v":3}\n'))).to.equal('exists');
      expect(String(await sink.get('_state/retail/sales/watermark.json'))).to.equal('{"v":2}\n');
      expect(await sink.list('_state/')).to.deep.equal(['_state/retail/sales/watermark.json']);
    });
  });
}

sinkContract('FileSink', () => {
  const { dir, cleanup } = tempDir('rdc-file-sink-');
  let loseReply = false;
  // A network file system that retries a link whose reply was lost reports EEXIST for the link it made.
  const link: typeof fs.link = async (existing, path) => {
    const lost = loseReply;
    loseReply = false;
    await fs.link(existing, path);
    if (lost)
      throw Object.assign(new Error(`EEXIST: file already exists, link -> '${String(path)}'`), { code: 'EEXIST' });
  };
  const sink = new FileSink(dir, { fs: { link } });
  expect(sink.url).to.match(/^file:\/\/\//);
  return { sink, cleanup, loseNextWriteReply: () => (loseReply = true) };
});

describe('GcsSink (against the GCS test double)', () => {
  let server: GcsTestServer;
  before(async () => {
    server = await startGcsTestServer({ buckets: ['rdc-contract'] });
  });
  after(async () => {
    await server.close();
  });

  sinkContract('GcsSink', () => {
    const prefix = `contract/${randomUUID()}`;
    const sink = new GcsSink({ bucket: 'rdc-contract', prefix, apiEndpoint: server.url, deadlineMs: 10_000 });
    expect(sink.url).to.equal(`gs://rdc-contract/${prefix}`);
    return {
      sink,
      cleanup: () => server.resetInjections(), // the unique prefix keeps tests apart
      loseNextWriteReply: () => server.failNext(1, 503, { kind: 'upload', afterApply: true }),
    };
  });
});
