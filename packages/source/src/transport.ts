import type { Agent, IncomingHttpHeaders } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import got, { RequestError, TimeoutError } from 'got';

/** One HTTP response, body as text. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An attempt that got no HTTP response. Carries only a code and a short
 * message, never got's request options (they hold the API key header).
 */
export class TransportError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

function toTransportError(error: unknown): TransportError {
  if (error instanceof TimeoutError) {
    return new TransportError(`timed out (${error.event} phase): ${error.message}`, error.code);
  }
  if (error instanceof RequestError) return new TransportError(error.message, error.code);
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return new TransportError(error.message, typeof code === 'string' ? code : undefined);
  }
  return new TransportError(String(error), undefined);
}

/**
 * One GET attempt, nothing more: no retries, no status handling. Resolves with
 * any status; rejects with a TransportError only when there is no response (reset, timeout...).
 */
export type Transport = (url: URL, timeoutMs: number) => Promise<RawResponse>;

export interface GotTransportOptions {
  headers: Record<string, string>;
  connectMs: number;
  agent: Agent;
  secure: boolean;
}

/** A keep-alive agent for `maxSockets` parallel requests. */
export function createAgent(secure: boolean, maxSockets: number): Agent {
  const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
  return secure ? new HttpsAgent(options) : new HttpAgent(options);
}

/**
 * The got transport: got's own retries, redirects and HTTP errors are off so
 * the client's policy is explicit; `timeoutMs` bounds the whole attempt
 * (connect, headers and body) and `connectMs` the connect phase.
 */
export function createGotTransport(options: GotTransportOptions): Transport {
  // One got instance per source: got merges and validates options on every call,
  // so the fixed part is merged once here and each request only adds its timeout.
  const client = got.extend({
    method: 'GET',
    headers: { accept: 'application/json', 'user-agent': 'rdc-source/0.1', ...options.headers },
    agent: options.secure ? { https: options.agent as HttpsAgent } : { http: options.agent },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
  });
  return async (url, timeoutMs) => {
    let response;
    try {
      response = await client(url, {
        timeout: { connect: options.connectMs, request: Math.max(1, Math.floor(timeoutMs)) },
      });
    } catch (error) {
      throw toTransportError(error);
    }
    return { status: response.statusCode, headers: response.headers, body: response.body };
  };
}
