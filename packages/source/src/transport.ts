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

/**
 * The response was larger than `limits.maxResponseBytes`: it was cut off while
 * streaming (or refused from its Content-Length) and never held in memory whole.
 */
export class ResponseTooLargeError extends Error {
  constructor(
    /** Bytes declared by Content-Length, or read before the limit was crossed. */
    readonly bytes: number,
    readonly limit: number,
    /** Whether `bytes` is the declared Content-Length (else: at least this many were streamed). */
    readonly declared: boolean,
    readonly status: number,
  ) {
    super(
      `the response is ${declared ? '' : 'more than '}${bytes} bytes${declared ? ' (Content-Length)' : ''}, over the limit of ${limit} bytes`,
    );
    this.name = 'ResponseTooLargeError';
  }
}

/** A 2xx body that is not valid UTF-8: no record in it can be written as the API meant it. */
export class InvalidUtf8Error extends Error {
  constructor(
    /** Offset of the first byte that is not valid UTF-8. */
    readonly offset: number,
    readonly status: number,
  ) {
    super(`the body is not valid UTF-8 (the first invalid byte is at offset ${offset})`);
    this.name = 'InvalidUtf8Error';
  }
}

/** Decodes UTF-8 or throws: never a replacement character in place of bad bytes. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Offset of the first byte of `bytes` that is not part of a valid UTF-8 sequence (its length when all are). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    const [length, min, max] =
      b >= 0xc2 && b <= 0xdf
        ? [2, 0x80, 0xbf]
        : b === 0xe0
          ? [3, 0xa0, 0xbf]
          : b === 0xed
            ? [3, 0x80, 0x9f]
            : b >= 0xe1 && b <= 0xef
              ? [3, 0x80, 0xbf]
              : b === 0xf0
                ? [4, 0x90, 0xbf]
                : b === 0xf4
                  ? [4, 0x80, 0x8f]
                  : b >= 0xf1 && b <= 0xf3
                    ? [4, 0x80, 0xbf]
                    : [0, 0, 0];
    if (length === 0) return i;
    // The second byte has the narrower range; the others are plain continuation bytes.
    const second = bytes[i + 1];
    if (second === undefined || second < min || second > max) return i;
    for (let k = 2; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return i;
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
 * any status; rejects with a TransportError when there is no response (reset,
 * timeout...), and with a ResponseTooLargeError when the body is over the limit.
 */
export type Transport = (url: URL, timeoutMs: number) => Promise<RawResponse>;

export interface GotTransportOptions {
  headers: Record<string, string>;
  connectMs: number;
  agent: Agent;
  secure: boolean;
  /** Largest body read (after decompression); the stream is cut off past it. */
  maxResponseBytes: number;
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
  });
  const limit = options.maxResponseBytes;
  // Streamed, so a body over the limit (chunked or not) is cut off without being held whole.
  return (url, timeoutMs) =>
    new Promise<RawResponse>((resolve, reject) => {
      const stream = client.stream(url, {
        timeout: { connect: options.connectMs, request: Math.max(1, Math.floor(timeoutMs)) },
      });
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        stream.destroy();
        reject(error);
      };
      stream.on('response', (response: { statusCode: number; headers: IncomingHttpHeaders }) => {
        status = response.statusCode;
        headers = response.headers;
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) {
          fail(new ResponseTooLargeError(declared, limit, true, status));
        }
      });
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) fail(new ResponseTooLargeError(size, limit, false, status));
        else chunks.push(chunk);
      });
      stream.on('error', (error: unknown) => fail(toTransportError(error)));
      stream.on('end', () => {
        if (settled) return;
        settled = true;
        const bytes = Buffer.concat(chunks, size);
        // A 2xx body is data: bytes that are not UTF-8 fail the page rather than land as U+FFFD.
        if (status >= 200 && status < 300) {
          try {
            resolve({ status, headers, body: strictUtf8.decode(bytes) });
          } catch {
            reject(new InvalidUtf8Error(firstInvalidUtf8(bytes), status));
          }
          return;
        }
        resolve({ status, headers, body: bytes.toString('utf8') });
      });
    });
}
