import { createRequire } from 'node:module';
import type * as GoogleAuth from 'google-auth-library';
import type { Log } from '@rdc/contracts';
import { type KeySet, keySetCache, KeySetUnavailableError } from './key-set.js';
import type { PushAuthorizer } from './push-server.js';

const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export interface OidcOptions {
  /** Expected `aud`: the push endpoint URL (or the audience set on the subscription). */
  audience: string;
  /** Expected `email`: the push subscription's service account. */
  serviceAccountEmail: string;
  /** Signing certificates by key id. @default Google's, fetched by google-auth-library */
  getCerts?: () => Promise<KeySet>;
  /** How long the fetched key set is reused. @default 3_600_000 (1 h) */
  keySetTtlMs?: number;
  log: Log;
}

/**
 * Verifies the OIDC token Pub/Sub attaches to each push: signature, expiry,
 * audience, issuer, the expected service-account email and `email_verified`.
 * No token or a bad one: 401. A valid token of someone else: 403. The key
 * set is cached (`keySetTtlMs`); when it cannot be fetched the answer is 503,
 * so Pub/Sub redelivers rather than the push being taken for a forgery.
 */
export function oidcAuthorizer(options: OidcOptions): PushAuthorizer {
  // Loaded here, not at import: `--help` and auth-off workers never need it.
  const { OAuth2Client } = createRequire(import.meta.url)('google-auth-library') as typeof GoogleAuth;
  const client = new OAuth2Client();
  const keys = keySetCache({
    fetch: options.getCerts ?? (async () => (await client.getFederatedSignonCertsAsync()).certs as KeySet),
    ...(options.keySetTtlMs !== undefined && { ttlMs: options.keySetTtlMs }),
  });
  const verify = async (token: string, certs: KeySet) =>
    (await client.verifySignedJwtWithCertsAsync(token, certs, options.audience, GOOGLE_ISSUERS)).getPayload();
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!match?.[1]) return 401;
    let payload;
    try {
      try {
        payload = await verify(match[1], await keys.get());
      } catch (error) {
        // A key id the cached set lacks: Google rotated its keys. Fetch again, once.
        if (!/no pem found/i.test((error as Error).message)) throw error;
        const fresh = await keys.refresh();
        if (!fresh) throw error;
        payload = await verify(match[1], fresh);
      }
    } catch (error) {
      if (error instanceof KeySetUnavailableError) {
        options.log.error(`Push request not verified, answered 503 for redelivery: ${error.message.slice(0, 300)}`);
        return 503;
      }
      options.log.warn(`Push request refused: ${(error as Error).message.split('\n')[0]?.slice(0, 200)}`);
      return 401;
    }
    if (!payload || payload.email !== options.serviceAccountEmail || payload.email_verified !== true) {
      options.log.warn('Push request refused: token is valid but not from the expected service account', {
        email: payload?.email,
      });
      return 403;
    }
    return undefined;
  };
}

/** Auth off: for the emulator only, and said loudly at start-up. */
export function noAuthorizer(log: Log): PushAuthorizer {
  log.warn(
    'Push authentication is OFF (RDC_PUSH_AUTH=off): any caller can submit tasks. Use this with the Pub/Sub emulator only.',
  );
  return () => Promise.resolve(undefined);
}
