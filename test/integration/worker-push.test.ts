import { expect } from 'chai';
import { silentLog, type PageTask } from '@rdc/contracts';
import { expectedRecords } from '@rdc/core/plan/counting.js';
import type { MockApi } from '@rdc/mock-server';
import { oidcAuthorizer, type PushAuthorizer } from '@rdc/worker';
import { filesIn, idsInFolder } from '../support/cli.js';
import { envelopeFor, post, PushWorkerFixture, rawEnvelope, TestSigner } from '../support/push.js';

const AUDIENCE = 'https://worker.example.test/';
const PUSHER = 'pubsub-push@rdc-test.iam.gserviceaccount.com';

describe('push worker (HTTP, real mock API, real folder sink)', function () {
  this.timeout(30_000);
  let fixture: PushWorkerFixture;
  let api: MockApi;
  let dir: string;
  let url: string;
  let tasks: PageTask[];

  async function startServer(authorize?: PushAuthorizer, maxBodyBytes = 65536) {
    await fixture.startServer(authorize, { maxBodyBytes });
    url = fixture.url;
  }

  beforeEach(async () => {
    fixture = await PushWorkerFixture.create({ end: '2024-09-01T00:00:00Z', mock: { latencyMs: 50 } });
    ({ api, dir, tasks } = fixture);
  });

  afterEach(() => fixture.close());

  it('lands a page and answers 204; GET /healthz answers 200', async () => {
    await startServer();
    const res = await post(url, envelopeFor(tasks[0]!));
    expect(res.status).to.equal(204);
    expect(filesIn(dir).filter((f) => f.endsWith('/pages/page-000001.json'))).to.have.length(1);
    expect(filesIn(dir).filter((f) => f.endsWith('page-000001.ndjson'))).to.have.length.greaterThan(0);
    const health = await fetch(`${url}healthz`);
    expect(health.status).to.equal(200);
  });

  it('lands every page of a run once and writes _SUCCESS when the last lands', async () => {
    await startServer();
    const answers = await Promise.all(tasks.map((t) => post(url, envelopeFor(t))));
    expect(answers.map((a) => a.status)).to.deep.equal(tasks.map(() => 204));
    const ids = idsInFolder(dir);
    expect(ids).to.deep.equal(
      api.idsInWindow('customers', new Date('2024-07-01T00:00:00Z'), new Date('2024-09-01T00:00:00Z')),
    );
    expect(filesIn(dir).filter((f) => f.endsWith('/_SUCCESS'))).to.have.length(1);
  });

  it('the same message delivered twice, concurrently, lands once and both answers are 2xx', async () => {
    await startServer();
    const envelope = envelopeFor(tasks[1]!);
    const [a, b] = await Promise.all([post(url, envelope), post(url, envelope)]);
    expect([a.status, b.status]).to.deep.equal([204, 204]);
    const pages = filesIn(dir).filter((f) => /\/pages\/page-\d+\.json$/.test(f));
    expect(pages).to.have.length(1);
    expect(idsInFolder(dir)).to.have.length(expectedRecords(tasks[1]!));
  });

  describe('poison messages', () => {
    const cases: Array<[string, () => unknown, number]> = [
      ['bad base64', () => rawEnvelope('%%%not-base64%%%'), 204],
      ['bad JSON', () => rawEnvelope(Buffer.from('{"v":1,').toString('base64')), 204],
      ['a wrong schema', () => rawEnvelope(Buffer.from(JSON.stringify({ v: 2, page: 'one' })).toString('base64')), 204],
      [
        'an unknown endpoint',
        () =>
          envelopeFor({
            ...tasks[0]!,
            endpoint: 'refunds',
            runId: tasks[0]!.runId.replace('.customers.', '.refunds.'),
          }),
        204,
      ],
      ['a path-traversal attempt', () => envelopeFor({ ...tasks[0]!, service: '..', runId: '../../etc/passwd' }), 204],
      [
        'a forged run id',
        () => envelopeFor({ ...tasks[0]!, runId: tasks[0]!.runId.replace('20240901', '20240902') }),
        204,
      ],
      ['no message at all', () => ({ subscription: 'x' }), 400],
      ['a body that is not JSON', () => 'hello', 400],
    ];
    for (const [what, body, status] of cases) {
      it(`${what}: answers ${status} and leaves nothing outside _rdc/deadletter/`, async () => {
        await startServer();
        const before = filesIn(dir);
        const res = await post(url, body());
        expect(res.status).to.equal(status);
        const added = filesIn(dir).filter((f) => !before.includes(f));
        expect(
          added.every((f) => f.startsWith('_rdc/deadletter/_malformed/')),
          added.join(', '),
        ).to.equal(true);
        expect(added).to.have.length(status === 204 ? 1 : 0);
      });
    }

    it('a task that disagrees with its run manifest is dead-lettered, not landed as a short page', async () => {
      await startServer();
      api.resetStats();
      const forged = { ...tasks[0]!, pageSize: 10, pages: 41, total: 406 };
      const res = await post(url, envelopeFor(forged));
      expect(res.status).to.equal(204);
      expect(filesIn(dir).filter((f) => f.endsWith('.ndjson'))).to.deep.equal([]);
      const dead = filesIn(dir).filter((f) => f.startsWith('_rdc/deadletter/'));
      expect(dead).to.have.length(1);
      expect(dead[0]).to.match(/^_rdc\/deadletter\/retail\/customers\/run=[^/]+\/page-000001\.m[0-9a-f]{16}-a1\.json$/);
      expect(api.stats.requests).to.equal(0);
    });

    it('an oversized body: 413 and nothing written', async () => {
      await startServer(undefined, 2048);
      const before = filesIn(dir);
      const res = await post(url, rawEnvelope('A'.repeat(10_000)));
      expect(res.status).to.equal(413);
      expect(filesIn(dir)).to.deep.equal(before);
    });
  });

  describe('OIDC push auth (locally signed key set)', () => {
    const signer = new TestSigner();
    const good = { aud: AUDIENCE, email: PUSHER, email_verified: true };
    const authorize = () =>
      oidcAuthorizer({
        audience: AUDIENCE,
        serviceAccountEmail: PUSHER,
        getCerts: () => Promise.resolve(signer.certs()),
        log: silentLog,
      });

    const cases: Array<[string, () => Record<string, string>, number]> = [
      ['a missing token', () => ({}), 401],
      ['a malformed header', () => ({ authorization: 'Basic abc' }), 401],
      ['a bad signature', () => ({ authorization: `Bearer ${signer.sign(good, TestSigner.otherKey())}` }), 401],
      [
        'a wrong audience',
        () => ({ authorization: `Bearer ${signer.sign({ ...good, aud: 'https://elsewhere.test/' })}` }),
        401,
      ],
      [
        'an expired token',
        () => ({ authorization: `Bearer ${signer.sign({ ...good, iat: 1_600_000_000, exp: 1_600_003_600 })}` }),
        401,
      ],
      [
        'a wrong issuer',
        () => ({ authorization: `Bearer ${signer.sign({ ...good, iss: 'https://evil.test' })}` }),
        401,
      ],
      [
        'a wrong email',
        () => ({ authorization: `Bearer ${signer.sign({ ...good, email: 'someone@evil.test' })}` }),
        403,
      ],
      [
        'an unverified email',
        () => ({ authorization: `Bearer ${signer.sign({ ...good, email_verified: false })}` }),
        403,
      ],
    ];
    for (const [what, headers, status] of cases) {
      it(`rejects ${what} with ${status} and touches nothing`, async () => {
        await startServer(authorize());
        api.resetStats();
        const planned = filesIn(dir);
        const res = await post(url, envelopeFor(tasks[0]!), headers());
        expect(res.status).to.equal(status);
        expect(filesIn(dir)).to.deep.equal(planned);
        expect(api.stats.requests).to.equal(0);
      });
    }

    it('accepts a valid token from the push service account', async () => {
      await startServer(authorize());
      const res = await post(url, envelopeFor(tasks[0]!), { authorization: `Bearer ${signer.sign(good)}` });
      expect(res.status).to.equal(204);
      expect(idsInFolder(dir)).to.have.length(expectedRecords(tasks[0]!));
    });
  });
});
