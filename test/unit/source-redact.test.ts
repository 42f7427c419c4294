import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type AuthConfig } from '@rdc/contracts';
import { readApiKey } from '@rdc/source/api-key.js';
import { redactedPath, redactUrl, scrubSecrets } from '@rdc/source/redact.js';
import { expect } from 'chai';

describe('source: secrets', () => {
  it('redacts query params named like key, token, secret, signature, password', () => {
    const url =
      'https://u:p@api.test/v1/sales?api_key=k1&access_token=t1&client_secret=s1&X-Amz-Signature=g1&password=p1&sig=q&limit=5&monkey=ok';
    const out = redactUrl(url);
    for (const secret of ['k1', 't1', 's1', 'g1', 'p1', 'u:p', '=q&']) expect(out).not.to.include(secret);
    expect(out).to.include('api_key=[REDACTED]');
    expect(out).to.include('limit=5');
    expect(out).to.match(/^https:\/\/api\.test\/v1\/sales\?/);
  });

  it('keeps harmless params and relative URLs relative', () => {
    expect(redactUrl('/items?cursor=abc&design=x&token=t')).to.equal('/items?cursor=abc&design=x&token=[REDACTED]');
    expect(redactedPath(new URL('http://h/a?apikey=1&b=2'))).to.equal('/a?apikey=[REDACTED]&b=2');
  });

  it('scrubs a secret value anywhere in a message', () => {
    expect(scrubSecrets('bad key abc123 (abc123)', ['abc123'])).to.equal('bad key [REDACTED] ([REDACTED])');
    expect(scrubSecrets('nothing here', [])).to.equal('nothing here');
  });

  describe('a key in every encoding', () => {
    const KEY = 'k"ey\\+/=%é_live_9f3A';
    /** How an API, a serializer or a logger may echo the key back. */
    const echoes: Record<string, string> = {
      raw: KEY,
      json: JSON.stringify(KEY),
      'json ascii': JSON.stringify(KEY).replace('é', '\\u00e9'),
      'json twice': JSON.stringify(JSON.stringify(KEY)),
      url: encodeURIComponent(KEY),
      'url lower-case': encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      form: new URLSearchParams({ key: KEY }).toString(),
      base64: Buffer.from(KEY).toString('base64'),
      base64url: Buffer.from(KEY).toString('base64url'),
      'basic auth': `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`,
      'base64 at offset 2': Buffer.from(`ab${KEY}xyz`).toString('base64'),
    };

    for (const [name, echo] of Object.entries(echoes)) {
      it(`scrubs the ${name} form out of a message`, () => {
        const out = scrubSecrets(`the API said: ${echo} (twice: ${echo})`, [KEY]);
        expect(out).to.include('[REDACTED]');
        for (const form of [KEY, JSON.stringify(KEY).slice(1, -1), encodeURIComponent(KEY)]) {
          expect(out).not.to.include(form);
        }
        expect(out).not.to.include(Buffer.from(KEY).toString('base64').slice(4, 20));
        expect(out).not.to.include('live_9f3A');
      });
    }

    it('leaves text without the key alone', () => {
      const text = 'HTTP 500: "upstream busy" Basic dXNlcjpvdGhlcg== %22 +/=';
      expect(scrubSecrets(text, [KEY])).to.equal(text);
    });
  });

  describe('readApiKey', () => {
    const auth: AuthConfig = { type: 'api-key', header: 'X-API-Key', env: 'RETAIL_API_KEY', required: true };
    let dir = '';
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rdc-source-key-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the env variable, trimmed, before the file', () => {
      const file = join(dir, 'key');
      writeFileSync(file, 'from-file');
      expect(readApiKey(auth, { RETAIL_API_KEY: '  abc \n', RETAIL_API_KEY_FILE: file })).to.equal('abc');
    });

    it('reads <ENV>_FILE (a mounted secret), trimmed', () => {
      const file = join(dir, 'key');
      writeFileSync(file, 'file-key\n');
      expect(readApiKey(auth, { RETAIL_API_KEY_FILE: file })).to.equal('file-key');
    });

    it('names the variables when a required key is missing, and the file when it cannot be read', () => {
      expect(() => readApiKey(auth, {})).to.throw(ConfigError, /RETAIL_API_KEY.*RETAIL_API_KEY_FILE/);
      expect(() => readApiKey(auth, { RETAIL_API_KEY: '   ' })).to.throw(ConfigError);
      expect(() => readApiKey(auth, { RETAIL_API_KEY_FILE: join(dir, 'nope') })).to.throw(
        ConfigError,
        /ENOENT.*RETAIL_API_KEY_FILE|RETAIL_API_KEY_FILE.*ENOENT/,
      );
    });

    it('returns undefined when the key is optional or auth is none', () => {
      expect(readApiKey({ ...auth, required: false }, {})).to.equal(undefined);
      expect(readApiKey({ type: 'none' }, { RETAIL_API_KEY: 'x' })).to.equal(undefined);
    });
  });
});
