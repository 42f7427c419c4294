import { OAuth2Client } from 'google-auth-library';
import type { Log } from '@rdc/contracts';
import type { PushAuthorizer } from './push-server.js';

const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

export interface OidcOptions {
  /** Expected `aud`: the push endpoint URL (or the audience set on the subscription). */
  audience: string;
  /** Expected `email`: the push subscription's service account. */
  serviceAccountEmail: string;
  /** Signing certificates by key id. @default Google's, fetched and cached by google-auth-library */
  getCerts?: () => Promise<Record<string, string>>;
  log: Log;
}

/**
 * Verifies the OIDC token Pub/Sub attaches to each push: signature, expiry,
 * audience, issuer, the expected service-account email and `email_verified`.
 * No token or a bad one: 401. A valid token of someone else: 403.
 */
export function oidcAuthorizer(options: OidcOptions): PushAuthorizer {
  const client = new OAuth2Client();
  const getCerts = options.getCerts ?? (async () => (await client.getFederatedSignonCertsAsync()).certs);
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '');
    if (!match?.[1]) return 401;
    let payload;
    try {
      const ticket = await client.verifySignedJwtWithCertsAsync(
        match[1],
        await getCerts(),
        options.audience,
        GOOGLE_ISSUERS,
      );
      payload = ticket.getPayload();
    } catch (error) {
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
