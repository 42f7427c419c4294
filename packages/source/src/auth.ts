import { type AuthConfig, ConfigError } from '@rdc/contracts';
import type { Secrets } from './api-key.js';

/** What every request of a service carries to authenticate, and the strings to scrub from logs. */
export interface AuthRequest {
  headers: Record<string, string>;
  /** A query parameter added to each request as it is sent (never to a URL that is logged). */
  query: { name: string; value: string } | undefined;
  /** The secrets in each encoding they travel in: raw, base64 (basic), URL-encoded (query). */
  secrets: string[];
  /**
   * The secrets without the basic user name, which is no secret by itself: a saved
   * walk position may hold the user name ("shop" in a cursor), never one of these.
   */
  keys?: string[];
}

/** The env variables that hold the credentials of `auth`, for messages. */
export function credentialVariables(auth: AuthConfig): string {
  if (auth.type === 'none') return 'none';
  if (auth.type === 'basic') return `${auth.userEnv} and ${auth.secretEnv} (or their _FILE variants)`;
  return `${auth.env} (or ${auth.env}_FILE)`;
}

/**
 * The headers or query parameter of `auth` for the given secrets. A required
 * credential that is missing is a ConfigError naming its variables.
 */
export function authRequest(service: string, auth: AuthConfig, secrets: Secrets): AuthRequest {
  const none: AuthRequest = { headers: {}, query: undefined, secrets: [] };
  if (auth.type === 'none') return none;
  const missing = auth.type === 'basic' ? !secrets.user || !secrets.secret : !secrets.key;
  if (missing) {
    if (auth.required) {
      throw new ConfigError(
        `Service "${service}" uses ${auth.type} auth and requires its credentials: set ${credentialVariables(auth)}.`,
      );
    }
    return none;
  }
  const key = secrets.key ?? '';
  switch (auth.type) {
    case 'header':
      return { headers: { [auth.name]: `${auth.prefix}${key}` }, query: undefined, secrets: [key] };
    case 'api-key':
      return { headers: { [auth.header]: key }, query: undefined, secrets: [key] };
    case 'bearer':
      return { headers: { authorization: `Bearer ${key}` }, query: undefined, secrets: [key] };
    case 'query':
      return {
        headers: {},
        query: { name: auth.param, value: key },
        secrets: [...new Set([key, encodeURIComponent(key), new URLSearchParams({ k: key }).toString().slice(2)])],
      };
    case 'basic': {
      const user = secrets.user ?? '';
      const secret = secrets.secret ?? '';
      const token = Buffer.from(`${user}:${secret}`).toString('base64');
      return {
        headers: { authorization: `Basic ${token}` },
        query: undefined,
        secrets: [user, secret, token],
        keys: [secret, token],
      };
    }
  }
}
