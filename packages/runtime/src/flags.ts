import { parseArgs } from 'node:util';
import { closestName, ConfigError } from '@rdc/contracts';

/**
 * One flag of a command line. The key it is declared under is its kebab-case
 * name (`start-date`); the snake_case spelling (`start_date`) is always accepted
 * too, and `aliases` adds more.
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One-letter form, e.g. `h` for `-h`. */
  short?: string;
  /** Further accepted spellings, without the leading dashes. */
  aliases?: readonly string[];
}
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** Values by kebab-case name: a string, or `true` for a boolean flag that was given. */
export type FlagValues = Record<string, string | true | undefined>;

export interface ParsedFlags {
  values: FlagValues;
  /** The spelling each given flag was typed in (`--start_date`), by kebab-case name, for messages. */
  spelled: Record<string, string>;
  positionals: string[];
}

/** Every accepted spelling (without dashes) to its kebab-case name. */
export function spellings(specs: FlagSpecs): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    for (const spelling of [name, name.replace(/-/g, '_'), ...(spec.aliases ?? [])]) out.set(spelling, name);
  }
  return out;
}

/** The closest known flag to an unknown one, when it is close enough to be a typo. */
export function suggestFlag(unknown: string, specs: FlagSpecs): string | undefined {
  const typed = unknown.replace(/^-+/, '');
  const known = spellings(specs);
  const closest = closestName(typed, known.keys());
  return closest === undefined ? undefined : `--${known.get(closest)}`;
}

const looksLikeFlag = (value: string): boolean => /^--?[A-Za-z]/.test(value);

/**
 * Parses a command line against `specs`. Throws ConfigError (exit 2) naming the
 * flag for an unknown flag (with "did you mean"), a flag given twice under any
 * of its spellings, a missing value, or a value on a boolean flag.
 */
export function parseFlags(
  argv: readonly string[],
  specs: FlagSpecs,
  options: { positionals?: boolean } = {},
): ParsedFlags {
  const known = spellings(specs);
  const nodeOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [spelling, name] of known) {
    const spec = specs[name]!;
    nodeOptions[spelling] = { type: spec.type, ...(spelling === name && spec.short ? { short: spec.short } : {}) };
  }
  const { tokens } = parseArgs({
    args: [...argv],
    options: nodeOptions,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: FlagValues = {};
  const given = new Map<string, string>();
  const spelled: Record<string, string> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const name = known.get(token.name);
    if (!name) {
      const hint = suggestFlag(token.rawName, specs);
      throw new ConfigError(`Unknown flag ${token.rawName}.${hint ? ` Did you mean ${hint}?` : ''} See --help.`);
    }
    const earlier = given.get(name);
    if (earlier !== undefined) {
      const both = earlier === token.rawName ? `${token.rawName} is` : `${earlier} and ${token.rawName} are`;
      throw new ConfigError(`${both} given twice (the same flag); give --${name} once.`);
    }
    given.set(name, token.rawName);
    spelled[name] = token.rawName;
    if (specs[name]!.type === 'boolean') {
      if (token.value !== undefined) {
        throw new ConfigError(`${token.rawName} takes no value (got "${token.value}"); give just ${token.rawName}.`);
      }
      values[name] = true;
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && looksLikeFlag(token.value))) {
      throw new ConfigError(`${token.rawName} needs a value, e.g. ${token.rawName} <value>. See --help.`);
    }
    values[name] = token.value;
  }
  if (positionals.length > 0 && !options.positionals) {
    throw new ConfigError(`Unexpected argument "${positionals[0]}": every value follows its flag. See --help.`);
  }
  return { values, spelled, positionals };
}
