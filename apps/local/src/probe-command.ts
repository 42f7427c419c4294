import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, NAME_PATTERN } from '@rdc/contracts';
import { parseAuthSpec, PROBE_AUTH_HELP, probeEndpoint } from '@rdc/source';

export const PROBE_HELP = `Usage: npm run probe -- --url <first-page URL> [--auth <scheme>:<VAR>…] [options]

Fetches one page of an API (one GET, read-only) and reports what it found: where the
records are, the id and timestamp fields and their formats, the window parameters, the
pagination (Link header, next URL or cursor in the body, has_more, totals). Then prints a
draft service config. Values it cannot decide from one page are marked "FILL ME: …";
the connector refuses the file, naming each, until they are filled in.

Give the URL of a first page as the connector would ask for it: the window's start and
end parameters as the API writes them, the page-size parameter, and the page or offset
parameter of the first page if the API has one, e.g.
  https://shop.example/wp-json/wc/v3/orders?after=2024-06-30T23:59:59&before=2024-08-01T00:00:00&per_page=100&page=1

  --url <url>           The first page's URL (http or https). Required.
  --auth <spec>         How to authenticate; see below. Default: none.
  --service <name>      Name of the service in the draft. Default: from the host name.
  --endpoint <name>     Name of the endpoint in the draft. Default: from the URL's last path segment.
  --out <file>          Write the draft there (never over an existing file) and the report
                        to stdout. Default: the draft on stdout, the report on stderr.
  -h, --help            This help.

${PROBE_AUTH_HELP}

Exit codes: 0 the draft was made (it may hold gaps), 1 the API could not be read,
2 bad arguments or the API refused the credentials.`;

export interface ProbeIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

function parseUrl(text: string | undefined): URL {
  if (text === undefined) throw new ConfigError(`probe needs --url <first-page URL>.\n\n${PROBE_HELP}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      '--url is not a URL; give the full address of the first page, e.g. https://api.example.com/v1/orders?limit=100.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--url must be http or https, got ${url.protocol.replace(/:$/, '')}.`);
  }
  if (url.username || url.password) {
    throw new ConfigError(
      '--url carries a user or password; put credentials in env variables and name them with --auth basic:<USER_VAR>:<SECRET_VAR>.',
    );
  }
  return url;
}

function name(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && !NAME_PATTERN.test(value)) {
    throw new ConfigError(
      `--${flag} "${value}": expected lowercase letters, digits or "_", starting with a letter (2-40 characters).`,
    );
  }
  return value;
}

/** `probe --url … [--auth …] [--out file]`: 0 with a draft, 1 when the API could not be read, 2 for bad arguments. */
export async function probeCommand(argv: string[], io: ProbeIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        auth: { type: 'string' },
        service: { type: 'string' },
        endpoint: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${PROBE_HELP}`);
  }
  if (values.help) {
    io.stdout.write(`${PROBE_HELP}\n`);
    return 0;
  }
  const text = (key: string) => (typeof values[key] === 'string' ? values[key] : undefined);
  const url = parseUrl(text('url'));
  const auth = parseAuthSpec(text('auth'));
  const out = text('out');
  const outcome = await probeEndpoint({
    url,
    auth,
    service: name(text('service'), 'service'),
    endpoint: name(text('endpoint'), 'endpoint'),
    out,
    env: io.env,
  });
  if (out === undefined) {
    io.stderr.write(`${outcome.report}\n`);
    io.stdout.write(outcome.json);
    return 0;
  }
  try {
    writeFileSync(out, outcome.json, { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'EEXIST'
        ? `--out ${out} exists already; probe never writes over a file. Remove it or name another.`
        : `--out ${out} cannot be written: ${(error as Error).message}.`,
    );
  }
  io.stdout.write(`${outcome.report}\n`);
  return 0;
}
