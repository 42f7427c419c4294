import { apiErrorMessage, classifyStatus, isRetryableTransportCode } from '@rdc/source/classify.js';
import { expect } from 'chai';

describe('source: status classification', () => {
  it('classifies statuses', () => {
    const cases: [number, string][] = [
      [200, 'success'],
      [204, 'success'],
      [429, 'rate-limited'],
      [408, 'retry'],
      [500, 'retry'],
      [502, 'retry'],
      [503, 'retry'],
      [504, 'retry'],
      [599, 'retry'],
      [301, 'permanent'],
      [304, 'permanent'],
      [400, 'permanent'],
      [401, 'permanent'],
      [403, 'permanent'],
      [404, 'permanent'],
      [409, 'permanent'],
      [422, 'permanent'],
    ];
    for (const [status, expected] of cases) expect(classifyStatus(status), String(status)).to.equal(expected);
  });

  it('retries resets and timeouts, not unknown hosts or bad certificates', () => {
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', undefined, 'ESOMETHINGNEW']) {
      expect(isRetryableTransportCode(code), String(code)).to.equal(true);
    }
    for (const code of ['ENOTFOUND', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      expect(isRetryableTransportCode(code), code).to.equal(false);
    }
  });

  it("extracts the API's error message, trimmed", () => {
    expect(apiErrorMessage('{"message":"  bad start_date \\n "}')).to.equal('bad start_date');
    expect(apiErrorMessage('{"error":{"message":"nested"}}')).to.equal('nested');
    expect(apiErrorMessage('{"error":"invalid_grant","error_description":"expired"}')).to.equal('expired');
    expect(apiErrorMessage('{"errors":[{"message":"first"},{"message":"second"}]}')).to.equal('first');
    expect(apiErrorMessage('plain text problem')).to.equal('plain text problem');
    expect(apiErrorMessage('<html><body>502</body></html>')).to.equal(undefined);
    expect(apiErrorMessage('{"ok":false}')).to.equal(undefined);
    expect(apiErrorMessage('')).to.equal(undefined);
    expect(apiErrorMessage(JSON.stringify({ message: 'x'.repeat(1000) }))).to.have.length(300);
  });
});
