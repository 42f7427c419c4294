/** One link of an RFC 8288 `Link` header. */
export interface Link {
  /** The target as written between `<` and `>` (may be relative). */
  uri: string;
  /** Relation types, lowercased: `rel="next last"` gives `["next", "last"]`. */
  rels: string[];
  /** Parameters by lowercased name; the first occurrence wins. Quoted values are unescaped. */
  params: Record<string, string>;
}

const WHITESPACE = /[ \t\r\n]/;

/**
 * Parses a `Link` header value (RFC 8288 section 3): several links separated by
 * commas, commas and semicolons allowed inside `<...>` and quoted strings,
 * backslash escapes in quoted strings, valueless params. Malformed links are
 * skipped rather than guessed at.
 */
export function parseLinkHeader(header: string | readonly string[] | undefined): Link[] {
  if (header === undefined) return [];
  const text = typeof header === 'string' ? header : header.join(', ');
  const links: Link[] = [];
  let i = 0;

  const skipWhitespace = (): void => {
    while (i < text.length && WHITESPACE.test(text[i] ?? '')) i++;
  };
  /** Skips to just past the next comma outside quotes and brackets. */
  const skipToNextLink = (): void => {
    let quoted = false;
    let bracket = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (bracket) {
        if (c === '>') bracket = false;
      } else if (c === '"') quoted = true;
      else if (c === '<') bracket = true;
      else if (c === ',') {
        i++;
        return;
      }
    }
  };
  const readQuoted = (): string => {
    // text[i] is the opening quote
    let value = '';
    for (i++; i < text.length; i++) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length) value += text[++i];
      else if (c === '"') {
        i++;
        return value;
      } else value += c;
    }
    return value;
  };
  const readToken = (stop: RegExp): string => {
    const from = i;
    while (i < text.length && !stop.test(text[i] ?? '')) i++;
    return text.slice(from, i).trim();
  };

  while (i < text.length) {
    skipWhitespace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (i >= text.length) break;
    if (text[i] !== '<') {
      skipToNextLink();
      continue;
    }
    const close = text.indexOf('>', i + 1);
    if (close === -1) break;
    const uri = text.slice(i + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    let malformed = false;
    for (;;) {
      skipWhitespace();
      if (i >= text.length || text[i] === ',') break;
      if (text[i] !== ';') {
        malformed = true;
        break;
      }
      i++;
      skipWhitespace();
      const name = readToken(/[=;,\s]/).toLowerCase();
      skipWhitespace();
      let value = '';
      if (text[i] === '=') {
        i++;
        skipWhitespace();
        value = text[i] === '"' ? readQuoted() : readToken(/[;,]/);
      }
      if (name !== '' && !Object.hasOwn(params, name)) params[name] = value;
    }
    if (malformed) {
      skipToNextLink();
      continue;
    }
    const rels = (params.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    links.push({ uri, rels, params });
  }
  return links;
}

/** The first link with relation `rel` (case-insensitive), or undefined. */
export function findLink(links: readonly Link[], rel: string): Link | undefined {
  const wanted = rel.toLowerCase();
  return links.find((link) => link.rels.includes(wanted));
}
