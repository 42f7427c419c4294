import { expect } from 'chai';
import { PermanentError } from '@rdc/contracts';
import { validateKey, validatePrefix } from '@rdc/sinks/keys.js';

describe('sink keys', () => {
  it('accepts relative "/"-separated keys of [A-Za-z0-9._=-]', () => {
    for (const key of [
      'a',
      'retail/sales/dt=2024-07-01/run=x.y.20240701T000000Z-20240801T000000Z/page-000001.ndjson',
      '_state/w.json',
      'a/b.c/d_e=f-g',
    ]) {
      expect(validateKey(key, 'test')).to.equal(key);
    }
  });

  it('rejects keys that could escape the root or mean different things in different sinks', () => {
    const cases: Record<string, RegExp> = {
      '': /empty/,
      '/abs': /starts with "\/"/,
      '../x': /"\.\." segment/,
      'a/../b': /"\.\." segment/,
      'a/./b': /"\." segment/,
      'a//b': /empty segment/,
      'a/': /empty segment/,
      '.hidden': /not allowed/,
      'a b': /not allowed/,
      'a\\b': /not allowed/,
      ü: /not allowed/,
      [`a/${'x'.repeat(256)}`]: /not allowed/,
      ['x/'.repeat(600)]: /longer than 1024/,
    };
    for (const [key, why] of Object.entries(cases)) {
      expect(() => validateKey(key, 'gs://b/p'), JSON.stringify(key)).to.throw(PermanentError, why);
    }
    expect(() => validateKey('../x', 'gs://b/p')).to.throw(/gs:\/\/b\/p/);
  });

  it('accepts list prefixes: empty, a folder, or a partial last segment', () => {
    for (const prefix of ['', 'a/', 'a/b', 'a/b/page-']) expect(validatePrefix(prefix, 'test')).to.equal(prefix);
    for (const prefix of ['/', '../', 'a//', '/a'])
      expect(() => validatePrefix(prefix, 'test'), prefix).to.throw(PermanentError);
  });
});
