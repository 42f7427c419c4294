import type { IncomingHttpHeaders } from 'node:http';

/** Query parameter names whose values are secrets: key, token, secret, signature, password, sig. */
export const SECRET_PARAM = /key|token|secret|signature|passw|credential|(^|[-_.])sig($|[-_.])/i;

export const REDACTED = '[REDACTED]';

function toUrl(url: string | URL): URL | undefined {
  if (url instanceof URL) return new URL(url.href);
  try {
    return new URL(url, 'http://relative.invalid');
  } catch {
    return undefined;
  }
}

function redactParams(url: URL): void {
  const names = [...new Set(url.searchParams.keys())];
  for (const name of names) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, REDACTED);
  }
  url.username = '';
  url.password = '';
}

/**
 * The URL with the values of secret-looking query parameters replaced by
 * `[REDACTED]` and any user:password removed. Relative input stays relative
 * (path and query only). Safe for logs and error messages.
 *
 * @example redactUrl('https://api.example.com/sales?api_key=abc&limit=5')
 *   // => 'https://api.example.com/sales?api_key=[REDACTED]&limit=5'
 */
export function redactUrl(url: string | URL): string {
  const parsed = toUrl(url);
  if (!parsed) return '[unparseable URL]';
  redactParams(parsed);
  const relative = typeof url === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(url);
  const text = relative ? `${parsed.pathname}${parsed.search}` : parsed.href;
  return text.replaceAll('%5BREDACTED%5D', REDACTED);
}

/** Path and query of a URL, redacted: what errors carry in `context.path`. */
export function redactedPath(url: URL): string {
  const copy = new URL(url.href);
  redactParams(copy);
  return `${copy.pathname}${copy.search}`.replaceAll('%5BREDACTED%5D', REDACTED);
}

/** JSON string escaping with every non-ASCII character as `\uXXXX` (Python's `ensure_ascii`). */
function asciiJson(text: string): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Base64 (standard and URL-safe) of `bytes`, whole, unpadded, and as it reads
 * inside a longer encoded value at each of the three byte alignments (the
 * characters that also encode a neighbour are left out).
 */
function base64Forms(bytes: Buffer): string[] {
  const out: string[] = [];
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const from = Math.ceil((8 * shift) / 6);
    const to = Math.floor((8 * (shift + bytes.length)) / 6);
    for (const encoding of ['base64', 'base64url'] as const) {
      const encoded = padded.toString(encoding);
      if (shift === 0) out.push(encoded, encoded.replace(/=+$/, ''));
      const inner = encoded.slice(from, to);
      if (inner.length >= 6) out.push(inner);
    }
  }
  return out;
}

/**
 * Every form a secret may take in text that passed through an API, a logger or
 * a serializer: as given, JSON-escaped (also with `\uXXXX` escapes),
 * URL-encoded (upper- and lower-case hex, form encoding), and base64 of its
 * UTF-8 and Latin-1 bytes. Longest first, so an encoding that contains another
 * is replaced whole.
 */
export function secretVariants(secret: string): string[] {
  if (secret === '') return [];
  const uri = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set<string>([
    secret,
    json,
    // A JSON log line of a message that already held the escaped key.
    JSON.stringify(json).slice(1, -1),
    asciiJson(secret),
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    new URLSearchParams({ k: secret }).toString().slice(2),
    encodeURI(secret),
    ...base64Forms(Buffer.from(secret, 'utf8')),
    ...base64Forms(Buffer.from(secret, 'latin1')),
  ]);
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length);
}

const variantCache = new Map<string, string[]>();

function variantsOf(secret: string): string[] {
  let found = variantCache.get(secret);
  if (!found) {
    found = secretVariants(secret);
    if (variantCache.size > 16) variantCache.clear();
    variantCache.set(secret, found);
  }
  return found;
}

/** Replaces every occurrence of each secret (the API key), in any of its encodings (see `secretVariants`), in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of variantsOf(secret)) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * Scrubs the secrets out of an error on its way out of the client: its
 * message, stack and `context.path`. Returns the same error.
 */
export function scrubError(error: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0 || !(error instanceof Error)) return error;
  error.message = scrubSecrets(error.message, secrets);
  if (error.stack) error.stack = scrubSecrets(error.stack, secrets);
  const context = (error as { context?: { path?: string } }).context;
  if (typeof context?.path === 'string') context.path = scrubSecrets(context.path, secrets);
  return error;
}

/** Header values with `scrub` applied: a request id or next link may echo the key. */
export function scrubHeaders(headers: IncomingHttpHeaders, scrub: (text: string) => string): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value.map(scrub) : value === undefined ? value : scrub(value);
  }
  return out;
}
