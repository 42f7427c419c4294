import { expect } from 'chai';
import { DEFAULT_BODY_TIMEOUT_MS, keySetCache, KeySetUnavailableError, parseWorkerConfig } from '@rdc/worker';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('worker: the cached OIDC key set', () => {
  it('fetches once per TTL, sharing one fetch between concurrent requests', async () => {
    const c = clock();
    let fetches = 0;
    const cache = keySetCache({ fetch: () => Promise.resolve({ [`k${++fetches}`]: 'pem' }), ttlMs: 1_000, now: c.now });
    const all = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(all.map((keys) => Object.keys(keys)[0])).to.deep.equal(['k1', 'k1', 'k1']);
    c.advance(999);
    expect(Object.keys(await cache.get())).to.deep.equal(['k1']);
    c.advance(2);
    expect(Object.keys(await cache.get())).to.deep.equal(['k2']);
    expect(cache.fetches).to.equal(2);
  });

  it('keeps using the last key set while fetching fails, up to maxStaleMs, then says it is unavailable', async () => {
    const c = clock();
    let up = true;
    const cache = keySetCache({
      fetch: () => (up ? Promise.resolve({ k: 'pem' }) : Promise.reject(new Error('ECONNREFUSED'))),
      ttlMs: 1_000,
      maxStaleMs: 10_000,
      now: c.now,
    });
    await cache.get();
    up = false;
    c.advance(5_000);
    expect(await cache.get()).to.deep.equal({ k: 'pem' });
    c.advance(6_000);
    const error = await cache.get().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(KeySetUnavailableError);
    expect((error as Error).message).to.include('ECONNREFUSED');
  });

  it('without any key set, a failed fetch is KeySetUnavailableError (answered 503)', async () => {
    const cache = keySetCache({ fetch: () => Promise.reject(new Error('timeout')) });
    expect(await cache.get().catch((e: unknown) => e)).to.be.instanceOf(KeySetUnavailableError);
  });

  it('refetches for an unknown key id (rotation) at most once per minRefreshMs', async () => {
    const c = clock();
    let fetches = 0;
    const cache = keySetCache({
      fetch: () => Promise.resolve({ [`k${++fetches}`]: 'pem' }),
      minRefreshMs: 60_000,
      now: c.now,
    });
    await cache.get();
    expect(await cache.refresh()).to.equal(undefined);
    c.advance(60_000);
    expect(await cache.refresh()).to.deep.equal({ k2: 'pem' });
    expect(await cache.get()).to.deep.equal({ k2: 'pem' });
  });
});

describe('worker: push body timeout', () => {
  it('defaults to 10 s and is set with RDC_PUSH_BODY_TIMEOUT_SECONDS', () => {
    expect(DEFAULT_BODY_TIMEOUT_MS).to.equal(10_000);
    const env = { RDC_SINK: 'file:///tmp/x', RDC_PUSH_AUTH: 'off' };
    const base = parseWorkerConfig([], env);
    const set = parseWorkerConfig([], { ...env, RDC_PUSH_BODY_TIMEOUT_SECONDS: '3' });
    expect(base.help ? undefined : base.config.pushBodyTimeoutSeconds).to.equal(10);
    expect(set.help ? undefined : set.config.pushBodyTimeoutSeconds).to.equal(3);
  });
});
