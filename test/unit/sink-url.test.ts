import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { ConfigError } from '@rdc/contracts';
import { createSink, FileSink, parseSinkUrl } from '@rdc/sinks';
import { gcsRetryPlan } from '@rdc/sinks/gcs-client.js';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';

describe('sink URLs', () => {
  it('parses gs://bucket with an optional prefix', () => {
    expect(parseSinkUrl('gs://acme-raw')).to.deep.equal({ kind: 'gcs', bucket: 'acme-raw', prefix: '' });
    expect(parseSinkUrl('gs://acme-raw/')).to.deep.equal({ kind: 'gcs', bucket: 'acme-raw', prefix: '' });
    expect(parseSinkUrl('gs://acme.raw_1/landing/v1/')).to.deep.equal({
      kind: 'gcs',
      bucket: 'acme.raw_1',
      prefix: 'landing/v1',
    });
  });

  it('parses file:// URLs and folder paths', () => {
    const abs = resolve('/tmp/rdc data');
    expect(parseSinkUrl(pathToFileURL(abs).href)).to.deep.equal({ kind: 'file', root: abs });
    expect(parseSinkUrl('./data', '/work')).to.deep.equal({ kind: 'file', root: resolve('/work', 'data') });
    expect(parseSinkUrl(abs)).to.deep.equal({ kind: 'file', root: abs });
  });

  it('rejects invalid URLs with a ConfigError naming the value and the accepted forms', () => {
    const cases = [
      '',
      'gs://',
      'gs://Acme',
      'gs://ab',
      'gs://-acme',
      'gs://googlebucket',
      'gs://goog-x',
      'gs://192.168.1.1',
      'gs://acme/a/../b',
      'gs://acme/a//b',
      's3://acme/x',
      'https://storage.googleapis.com/acme',
      'file://server/share',
    ];
    for (const url of cases) {
      expect(() => parseSinkUrl(url), url).to.throw(ConfigError, /Use gs:\/\/bucket/);
      if (url !== '') expect(() => parseSinkUrl(url), url).to.throw(ConfigError, url);
    }
  });

  it('createSink builds the sink the URL names', () => {
    const file = createSink('/tmp/rdc-sink-url-test');
    expect(file).to.be.instanceOf(FileSink);
    expect(file.url).to.equal(pathToFileURL('/tmp/rdc-sink-url-test').href);
    const gcs = createSink('gs://acme-raw/landing', { gcs: { gzip: true, projectId: 'p' } });
    expect(gcs).to.be.instanceOf(GcsSink);
    expect(gcs.url).to.equal('gs://acme-raw/landing');
  });
});

describe('gcsRetryPlan', () => {
  for (const deadlineMs of [3_000, 4_000, 10_000, 50_000, 120_000]) {
    it(`keeps the worst case under a ${deadlineMs} ms deadline`, () => {
      const { attemptTimeoutMs, retryOptions } = gcsRetryPlan(deadlineMs);
      expect(retryOptions.maxRetryDelay).to.be.at.least(1); // the library's backoff starts at 1 s
      expect(retryOptions.totalTimeout).to.be.at.least(1);
      const worstMs = retryOptions.totalTimeout * 1000 + retryOptions.maxRetryDelay * 1000 + attemptTimeoutMs;
      expect(worstMs).to.be.at.most(deadlineMs);
      // Fast failures run out of retries before totalTimeout, so the caller gets the real error.
      expect(retryOptions.maxRetries).to.be.at.least(1);
      expect(retryOptions.maxRetries * retryOptions.maxRetryDelay).to.be.at.most(retryOptions.totalTimeout);
    });
  }
});
