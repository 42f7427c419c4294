import { STATUS_CODES } from 'node:http';
import { credentialVariables } from './auth.js';
import type { AuthConfig } from '@rdc/contracts';

/** What the client does with a response status. */
export type StatusClass = 'success' | 'rate-limited' | 'retry' | 'permanent';

/**
 * 2xx: success. 429: wait for Retry-After without using a retry. 408 and 5xx:
 * retry with backoff. Anything else (other 4xx, 3xx, 1xx) retrying cannot fix.
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429) return 'rate-limited';
  if (status === 408 || (status >= 500 && status < 600)) return 'retry';
  return 'permanent';
}

/**
 * Transport errors (no HTTP response) that retrying cannot fix: an unknown
 * host, a bad certificate, a malformed URL. Everything else (resets, refused
 * connections, timeouts, unknown codes) is retried: losing a page is worse.
 */
const PERMANENT_TRANSPORT_CODES = new Set([
  'ENOTFOUND',
  'ERR_INVALID_URL',
  'ERR_UNSUPPORTED_PROTOCOL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether a transport error code (ECONNRESET, ETIMEDOUT, ENOTFOUND...) is worth another try. */
export function isRetryableTransportCode(code: string | undefined): boolean {
  return code === undefined || !PERMANENT_TRANSPORT_CODES.has(code);
}

/** What a user can do about a status that retrying cannot fix. */
export function hintForStatus(status: number, auth: AuthConfig, endpointName: string): string {
  if (status === 401 || status === 403) {
    return auth.type === 'none'
      ? 'The API wants credentials: set auth in the service config (type "header", "bearer", "basic" or "query") with the env variable that holds the key.'
      : `Check the credentials in ${credentialVariables(auth)}; the API refused them.`;
  }
  if (status === 404 || status === 410) {
    return `Check endpoints.${endpointName}.path in the service config and the base URL (baseUrl, or <SERVICE>_API_BASE_URL).`;
  }
  if (status === 400 || status === 422) {
    return `Check the query parameters of endpoints.${endpointName} (params, pagination, query) against the API's documentation.`;
  }
  if (status === 0) {
    return 'Check baseUrl (or API_BASE_URL): the host name and its TLS certificate.';
  }
  if (status >= 300 && status < 400) {
    return 'The API redirected; set baseUrl (or API_BASE_URL) to the final address. Redirects are not followed so the API key is not sent elsewhere.';
  }
  return 'Retrying will not fix this; check the request against the API documentation.';
}

const MESSAGE_FIELDS = ['message', 'error_description', 'detail', 'title', 'error', 'errors', 'description'];

function messageIn(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (depth > 2 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) return messageIn(value[0], depth + 1);
  for (const field of MESSAGE_FIELDS) {
    const found = messageIn((value as Record<string, unknown>)[field], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The API's own error message from a response body, trimmed and cut to 300
 * characters: JSON `message`, `error`, `error.message`, `errors[0].message`,
 * `detail`..., or a short plain-text body. Undefined when there is none.
 */
export function apiErrorMessage(body: string): string | undefined {
  const text = body.trim();
  if (text === '') return undefined;
  let message: string | undefined;
  try {
    message = messageIn(JSON.parse(text), 0);
  } catch {
    message = text.startsWith('<') ? undefined : text;
  }
  if (message === undefined) return undefined;
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine;
}

/** Describes a non-JSON body for an error message: its length and first characters. */
export function describeBody(body: string): string {
  const head = body.trim().slice(0, 60).replace(/\s+/g, ' ');
  return body.trim() === '' ? 'an empty body' : `${body.length} bytes starting ${JSON.stringify(head)}`;
}

/** `HTTP 503 Service Unavailable`. */
export function statusText(status: number): string {
  return `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
