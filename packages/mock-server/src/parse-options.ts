import { ConfigError } from '@rdc/contracts';
import { OPTION_FIELDS, misfit, resolveMockOptions } from './options.js';
import type { MockApiOptions, OptionField } from './options.js';
import { parseQueryInstant } from './query.js';

/** Defaults of a process (a container) rather than a test: reachable, on a known port. */
const PROCESS_DEFAULTS: Partial<MockApiOptions> = { host: '0.0.0.0', port: 8080 };

/**
 * Options of the `mock-api` process: defaults, then env (`MOCK_*`, `PORT`, `HOST`),
 * then flags (`--error-rate 0.1`, `--error-rate=0.1`, `--bare-array`, `--no-bare-array`).
 * Throws ConfigError naming the variable or flag, the bad value and what was expected.
 */
export function parseMockOptions(env: NodeJS.ProcessEnv, argv: readonly string[]): MockApiOptions {
  const options: Record<string, unknown> = { ...PROCESS_DEFAULTS };
  for (const field of OPTION_FIELDS) {
    const raw = env[field.env];
    if (raw === undefined || raw.trim() === '') continue;
    options[field.key] = convert(field, raw.trim(), field.env);
  }
  for (const [field, raw, source] of readFlags(argv)) {
    options[field.key] = raw === undefined ? true : convert(field, raw, source);
  }
  return resolveMockOptions(options);
}

function readFlags(argv: readonly string[]): [OptionField, string | undefined, string][] {
  const found: [OptionField, string | undefined, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!match)
      throw new ConfigError(
        `Mock API: unexpected argument ${JSON.stringify(arg)}; flags look like --error-rate 0.1 (see --help)`,
      );
    const name = match[1] ?? '';
    const negated = name.startsWith('no-') ? OPTION_FIELDS.find((f) => f.flag === name.slice(3)) : undefined;
    if (negated?.kind.type === 'bool' && match[2] === undefined) {
      found.push([negated, 'false', `--${name}`]);
      continue;
    }
    const field = OPTION_FIELDS.find((f) => f.flag === name);
    if (!field)
      throw new ConfigError(
        `Mock API: unknown flag --${name}; expected one of ${OPTION_FIELDS.map((f) => `--${f.flag}`).join(', ')}`,
      );
    if (match[2] !== undefined) {
      found.push([field, match[2], `--${name}`]);
    } else if (field.kind.type === 'bool') {
      found.push([field, undefined, `--${name}`]);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new ConfigError(`Mock API: flag --${name} needs a value (${expectedText(field)})`);
      }
      found.push([field, next, `--${name}`]);
      i++;
    }
  }
  return found;
}

function expectedText(field: OptionField): string {
  return field.kind.type === 'date'
    ? 'an ISO-8601 date or datetime such as 2024-07-01 or 2024-07-01T00:00:00Z'
    : (misfit(field.kind, Symbol()) ?? 'a value');
}

/** Turns the text of an env variable or flag into the option's type, or throws naming `source`. */
function convert(field: OptionField, raw: string, source: string): unknown {
  const bad = (): never => {
    throw new ConfigError(`Mock API: ${source}=${JSON.stringify(raw)} is invalid: expected ${expectedText(field)}`);
  };
  let value: unknown = raw;
  switch (field.kind.type) {
    case 'int':
      if (!/^-?\d+$/.test(raw)) bad();
      value = Number(raw);
      break;
    case 'number':
      if (!/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(raw)) bad();
      value = Number(raw);
      break;
    case 'bool': {
      const lower = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) value = true;
      else if (['false', '0', 'no', 'off'].includes(lower)) value = false;
      else bad();
      break;
    }
    case 'enum':
      value = field.kind.values.find((v) => String(v) === raw);
      if (value === undefined) bad();
      break;
    case 'date': {
      const ms = parseQueryInstant(raw);
      if (ms === undefined) bad();
      value = new Date(ms as number);
      break;
    }
    case 'string':
      break;
  }
  if (misfit(field.kind, value) !== undefined) bad();
  return value;
}

/** The `--help` text: every flag, its env variable and its meaning. */
export function mockApiUsage(): string {
  const rows = OPTION_FIELDS.map((f) => {
    const value = f.kind.type === 'bool' ? '' : f.kind.type === 'enum' ? ' <value>' : ` <${f.kind.type}>`;
    const help = f.kind.type === 'enum' ? `${f.help}: ${f.kind.values.join(' | ')}` : f.help;
    return [`  --${f.flag}${value}`, f.env, help] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  const envWidth = Math.max(...rows.map((r) => r[1].length)) + 2;
  return [
    'Usage: npm run mock-api -- [flags]      (flags override env variables)',
    '',
    ...rows.map(([flag, env, help]) => `${flag.padEnd(width)}${env.padEnd(envWidth)}${help}`),
    `${'  -h, --help'.padEnd(width + envWidth)}This help.`,
    `${'  --version'.padEnd(width + envWidth)}Print the version and exit.`,
  ].join('\n');
}
