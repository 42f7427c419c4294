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

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * Python's `ascii()` of a str without its quotes (`\\`, `\'`, `\xNN` below U+0100
 * when not printable ASCII, `\uXXXX`, `\UXXXXXXXX`); with `keep`, its `repr()`,
 * which keeps printable non-ASCII characters as they are.
 */
function pythonRepr(text: string, keep = false): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (c === '\\' || c === "'") out += `\\${c}`;
    else if ((code >= 0x20 && code < 0x7f) || (keep && code >= 0xa0)) out += c;
    else if (code < 0x100) out += `\\x${hex2(code)}`;
    else if (code < 0x10000) out += `\\u${hex4(code)}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out;
}

/** Every character escaped: `\xNN` per UTF-8 byte, `\uXXXX` per UTF-16 unit, in both cases of hex. */
function escapedWhole(text: string): string[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
  const x = bytes.map((b) => `\\x${hex2(b)}`).join('');
  const u = units.map((n) => `\\u${hex4(n)}`).join('');
  return [x, x.toUpperCase().replaceAll('\\X', '\\x'), u, u.toUpperCase().replaceAll('\\U', '\\u')];
}

/** HTML escaping: the five special characters as named or numeric entities, or every character numeric. */
function htmlForms(text: string): string[] {
  const named = (apos: string, quot: string) =>
    text.replace(/[&<>"']/g, (c) =>
      c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? quot : apos,
    );
  const chars = [...text].map((c) => c.codePointAt(0)!);
  return [
    named('&#39;', '&quot;'),
    named('&#x27;', '&quot;'),
    named('&apos;', '&quot;'),
    named('&#039;', '&#34;'),
    chars.map((n) => `&#${n};`).join(''),
    chars.map((n) => `&#x${n.toString(16)};`).join(''),
    chars.map((n) => `&#x${n.toString(16).toUpperCase()};`).join(''),
  ];
}

/** Percent-encoding: as encodeURIComponent, encodeURI and forms do it, or every byte, in both cases of hex. */
function percentForms(text: string): string[] {
  const uri = encodeURIComponent(text);
  const every = [...Buffer.from(text, 'utf8')].map((b) => `%${hex2(b).toUpperCase()}`).join('');
  return [
    uri,
    uri.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    new URLSearchParams({ k: text }).toString().slice(2),
    encodeURI(text),
    every,
    every.toLowerCase(),
  ];
}

/**
 * Every form a secret may take in text that passed through an API, a logger or
 * a serializer: as given; escaped as JSON (also with `\uXXXX` escapes), as
 * Python's repr, or with every character as `\xNN` or `\uXXXX`; any of those
 * with backslashes doubled (escaped once more) or HTML-escaped; percent-encoded
 * (upper- and lower-case hex, form encoding, every byte); HTML entities; and
 * base64 or base64url of its UTF-8 and Latin-1 bytes. Longest first, so an
 * encoding that contains another is replaced whole.
 */
export function secretVariants(secret: string): string[] {
  if (secret === '') return [];
  const json = JSON.stringify(secret).slice(1, -1);
  // Python's repr of the UTF-8 bytes (b'…'): printable ASCII as is, every other byte `\xNN`.
  const bytesRepr = pythonRepr(Buffer.from(secret, 'utf8').toString('latin1')).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
  const escaped = [
    secret,
    json,
    asciiJson(secret),
    pythonRepr(secret),
    pythonRepr(secret, true),
    bytesRepr,
    ...escapedWhole(secret),
  ];
  const forms = new Set<string>();
  for (const form of escaped) {
    forms.add(form);
    // Escaped once more: a JSON log line, a Python repr of a string that held the escaped form.
    forms.add(form.replaceAll('\\', '\\\\'));
    forms.add(JSON.stringify(form).slice(1, -1));
    for (const html of htmlForms(form)) forms.add(html);
  }
  for (const form of percentForms(secret)) forms.add(form);
  for (const form of base64Forms(Buffer.from(secret, 'utf8'))) forms.add(form);
  for (const form of base64Forms(Buffer.from(secret, 'latin1'))) forms.add(form);
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
