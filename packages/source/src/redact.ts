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

/** Replaces every occurrence of each secret (the API key) in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== '') out = out.split(secret).join(REDACTED);
  }
  return out;
}
