import type { IncomingHttpHeaders } from 'node:http';
import { type AuthConfig, ConfigError, LIMIT_DEFAULTS } from '@rdc/contracts';
import { readSecrets } from './api-key.js';
import { authRequest } from './auth.js';
import { DEFAULTS } from './options.js';
import { redactUrl, scrubSecrets } from './redact.js';
import { createAgent, createGotTransport } from './transport.js';

export interface FetchedPage {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The secrets sent, in each encoding: scrub every text shown with them. */
  secrets: string[];
}

/** Why the probe could not read the page; the CLI exits 1 with it. */
export class ProbeFetchError extends Error {}

/**
 * One GET of `url` with the credentials of `auth` (from env variables or their
 * `_FILE` files, required). Nothing is retried or followed: the probe reports what
 * the API answered. No error text carries a secret.
 */
export async function fetchFirstPage(url: URL, auth: AuthConfig, env: NodeJS.ProcessEnv): Promise<FetchedPage> {
  const request = authRequest('the probed API', auth, readSecrets(auth, env));
  const secrets = request.secrets;
  const scrub = (text: string) => scrubSecrets(text, secrets);
  const target = new URL(url.href);
  if (request.query) target.searchParams.set(request.query.name, request.query.value);
  const shown = redactUrl(url);
  const secure = url.protocol === 'https:';
  const agent = createAgent(secure, 1);
  try {
    const transport = createGotTransport({
      headers: request.headers,
      connectMs: DEFAULTS.timeouts.connectMs,
      agent,
      secure,
      maxResponseBytes: LIMIT_DEFAULTS.maxResponseBytes,
    });
    let response;
    try {
      response = await transport(target, DEFAULTS.timeouts.responseMs);
    } catch (error) {
      throw new ProbeFetchError(
        `GET ${shown} failed: ${scrub((error as Error).message)}. Check --url and that the API is reachable.`,
      );
    }
    const excerpt = scrub(response.body.slice(0, 300)).replace(/\s+/g, ' ');
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.location;
      throw new ProbeFetchError(
        `GET ${shown} answered ${response.status}, a redirect to ${location ? redactUrl(location) : 'nowhere'}: give --url the address it points to.`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new ConfigError(
        `GET ${shown} answered ${response.status} (${excerpt}): the API refused the credentials. Check --auth and the variables it names.`,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new ProbeFetchError(
        `GET ${shown} answered ${response.status}: ${excerpt}. Check --url and its parameters.`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(response.body.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new ProbeFetchError(
        `GET ${shown} answered ${response.status} but not with JSON (${scrub((error as Error).message)}): ${excerpt}`,
      );
    }
    return { status: response.status, headers: response.headers, body, secrets };
  } finally {
    agent.destroy();
  }
}
