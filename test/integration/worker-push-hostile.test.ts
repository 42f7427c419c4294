import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { silentLog, type PageTask } from '@rdc/contracts';
import type { MockApi } from '@rdc/mock-server';
import { createSourceRegistry } from '@rdc/source';
import { oidcAuthorizer, type PushAuthorizer } from '@rdc/worker';
import { filesIn } from '../support/cli.js';
import { envelopeFor, post, PushWorkerFixture, TestSigner } from '../support/push.js';

const AUDIENCE = 'https://worker.example.test/';
const PUSHER = 'pubsub-push@rdc-test.iam.gserviceaccount.com';

/** Sends headers and `sent` bytes of a body, then `more` (or stalls); resolves with the answer and when it came. */
function sendBody(
  url: string,
  options: { chunked: boolean; declared?: number; chunk: Buffer; chunks: number; stall: boolean },
): Promise<{ status: number; afterMs: number; body: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(options.declared) }),
      },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, afterMs: Date.now() - started, body }));
      res.on('error', () => undefined);
    });
    // Once answered, a refused upload may see its socket closed: that is expected.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    let sent = 0;
    const pump = (): void => {
      while (!answered && sent < options.chunks) {
        sent++;
        if (!req.write(options.chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!options.stall && !answered) req.end();
    };
    pump();
  });
}

describe('push worker against hostile callers', function () {
  this.timeout(30_000);
  let fixture: PushWorkerFixture;
  let api: MockApi;
  let dir: string;
  let url: string;
  let tasks: PageTask[];
  let extra: Server | undefined;

  async function startServer(authorize: PushAuthorizer, more: { bodyTimeoutMs?: number } = {}): Promise<void> {
    await fixture.startServer(authorize, {
      health: () => {
        const pausedMs = fixture.sources.pausedForMs();
        return pausedMs > 0 ? { status: 'rate-limited', rateLimitedForMs: pausedMs } : {};
      },
      ...more,
    });
    url = fixture.url;
  }
  const open: PushAuthorizer = () => Promise.resolve(undefined);
  /** What was written after planning. */
  const written = () => filesIn(dir).filter((f) => !fixture.planned.includes(f));

  beforeEach(async () => {
    fixture = await PushWorkerFixture.create({ end: '2024-08-01T00:00:00Z' });
    ({ api, dir, tasks } = fixture);
  });

  afterEach(async () => {
    await fixture.close();
    if (extra) {
      extra.closeAllConnections();
      await new Promise((resolve) => extra?.close(resolve));
      extra = undefined;
    }
  });

  describe('the OIDC key set', () => {
    const signer = new TestSigner();
    const token = () => ({
      authorization: `Bearer ${signer.sign({ aud: AUDIENCE, email: PUSHER, email_verified: true })}`,
    });

    it('unreachable: 503 (Pub/Sub redelivers), nothing touched; once reachable the redelivery lands', async () => {
      let up = false;
      let fetches = 0;
      const getCerts = () => {
        fetches++;
        return up ? Promise.resolve(signer.certs()) : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:443'));
      };
      await startServer(oidcAuthorizer({ audience: AUDIENCE, serviceAccountEmail: PUSHER, getCerts, log: silentLog }));
      api.resetStats();
      const envelope = envelopeFor(tasks[0]!);
      const refused = await post(url, envelope, token());
      expect(refused.status).to.equal(503);
      expect(refused.text).to.include('key set');
      expect(written()).to.deep.equal([]);
      expect(api.stats.requests).to.equal(0);
      up = true;
      expect((await post(url, envelope, token())).status).to.equal(204);
      expect(written().filter((f) => f.endsWith('page-000001.ndjson')).length).to.be.at.least(1);
      expect(fetches).to.equal(2);
    });

    it('is fetched once and cached across requests', async () => {
      let fetches = 0;
      const getCerts = () => {
        fetches++;
        return Promise.resolve(signer.certs());
      };
      await startServer(oidcAuthorizer({ audience: AUDIENCE, serviceAccountEmail: PUSHER, getCerts, log: silentLog }));
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(url, envelopeFor(tasks[0]!), token())));
      expect(answers.map((r) => r.status)).to.deep.equal([204, 204, 204, 204, 204, 204]);
      expect(fetches).to.equal(1);
    });
  });

  describe('bodies', () => {
    it('a chunked body over the limit gets 413, not a closed socket, and nothing is written', async () => {
      await startServer(open);
      const answer = await sendBody(url, {
        chunked: true,
        chunk: Buffer.alloc(16 * 1024, 0x41),
        chunks: 640,
        stall: false,
      });
      expect(answer.status).to.equal(413);
      expect(answer.body).to.include('65536');
      expect(written()).to.deep.equal([]);
    });

    it('a stalled body gets 408 within the body timeout, and nothing is written', async () => {
      await startServer(open, { bodyTimeoutMs: 500 });
      const answer = await sendBody(url, {
        chunked: false,
        declared: 4000,
        chunk: Buffer.from('{"message":'),
        chunks: 1,
        stall: true,
      });
      expect(answer.status).to.equal(408);
      expect(answer.afterMs).to.be.within(400, 3_000);
      expect(written()).to.deep.equal([]);
    });

    it('a push without a message id gets 400 and leaves no record', async () => {
      await startServer(open);
      const envelope = envelopeFor(tasks[0]!) as { message: Record<string, unknown> };
      delete envelope.message.messageId;
      const res = await post(url, { ...envelope, message: { ...envelope.message, data: 'bm90IGEgdGFzaw==' } });
      expect(res.status).to.equal(400);
      expect(res.text).to.include('messageId');
      expect(written()).to.deep.equal([]);
    });
  });

  it('a 429 asking for 11.6 days: the push gets 503 at once and /healthz says rate-limited for at most the cap', async () => {
    extra = createServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '999999', 'content-type': 'application/json' });
      res.end('{"message":"slow down"}');
    });
    await new Promise<void>((resolve) => extra?.listen(0, '127.0.0.1', resolve));
    fixture.sources.close();
    fixture.sources = createSourceRegistry(fixture.catalog, {
      env: { API_BASE_URL: `http://127.0.0.1:${(extra.address() as AddressInfo).port}` },
    });
    await startServer(open);
    const started = Date.now();
    const res = await post(url, envelopeFor(tasks[0]!));
    expect(res.status).to.equal(503);
    expect(Date.now() - started).to.be.below(2_000);
    const health = (await (await fetch(`${url}healthz`)).json()) as { status: string; rateLimitedForMs: number };
    expect(health.status).to.equal('rate-limited');
    const cap = fixture.catalog.services.get('retail')!.limits.maxRetryAfterSeconds * 1000;
    expect(health.rateLimitedForMs).to.be.above(0).and.at.most(cap);
  });
});
