import type { z } from 'zod';
import { ConfigError } from '@rdc/contracts';
import { parseDuration, parseInstant } from '@rdc/core';
import type { FlagValues } from './flags.js';

/** A setting's text and where it came from (`--sink` or `RDC_SINK`), so an error blames the right one. */
export interface Input {
  text: string;
  from: string;
}

/**
 * Reads settings from parsed flags, falling back to env variables. Every
 * parser names the flag or variable the bad value came from.
 */
export class Inputs {
  constructor(
    private readonly values: FlagValues,
    private readonly env: NodeJS.ProcessEnv,
    /** The spelling each flag was typed in, so messages repeat the user's own (`--start_date`). */
    private readonly spelled: Record<string, string> = {},
  ) {}

  /** The flag's value, else the env variable's (an empty variable counts as unset). */
  get(flag: string, envVar?: string): Input | undefined {
    const value = this.values[flag];
    if (typeof value === 'string') return { text: value, from: this.spelled[flag] ?? `--${flag}` };
    const fromEnv = envVar ? this.env[envVar] : undefined;
    if (envVar && fromEnv !== undefined && fromEnv !== '') return { text: fromEnv, from: envVar };
    return undefined;
  }

  has(flag: string): boolean {
    return this.values[flag] !== undefined;
  }

  /** A boolean flag, else `1`/`true`/`0`/`false` in the env variable. */
  bool(flag: string, envVar?: string): boolean {
    if (this.values[flag] === true) return true;
    const raw = envVar ? this.env[envVar] : undefined;
    if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
    if (raw === '1' || raw === 'true') return true;
    throw new ConfigError(`${envVar} must be 1, true, 0 or false (got "${raw}").`);
  }

  text(flag: string, envVar?: string): string | undefined {
    return this.get(flag, envVar)?.text;
  }

  /** A plain decimal integer in [min, max]; `0x10`, `1e2`, `8.0` and ` 8` are refused. */
  int(flag: string, envVar: string | undefined, fallback: number, range: { min: number; max: number }): number {
    const input = this.get(flag, envVar);
    return input ? parseInteger(input, range) : fallback;
  }

  duration(flag: string, envVar?: string): number | undefined {
    const input = this.get(flag, envVar);
    return input ? parseDuration(input.text, input.from) : undefined;
  }

  instant(flag: string, envVar?: string): Date | undefined {
    const input = this.get(flag, envVar);
    return input ? parseInstant(input.text, input.from) : undefined;
  }

  /** Checks the value against a zod schema; the error names the flag or variable. */
  checked<T>(schema: z.ZodType<T>, flag: string, envVar: string | undefined, fallback: T): T {
    const input = this.get(flag, envVar);
    return input ? check(schema, input) : fallback;
  }
}

export function parseInteger(input: Input, range: { min: number; max: number }): number {
  if (!/^\d+$/.test(input.text)) {
    throw new ConfigError(`${input.from} "${input.text}" is not a whole number; use plain decimal digits such as 8.`);
  }
  const n = Number(input.text);
  if (n < range.min || n > range.max) {
    throw new ConfigError(`${input.from} ${input.text} is out of range; use ${range.min} to ${range.max}.`);
  }
  return n;
}

export function check<T>(schema: z.ZodType<T>, input: Input): T {
  const parsed = schema.safeParse(input.text);
  if (parsed.success) return parsed.data;
  const reasons = parsed.error.issues.map((i) => i.message).join('; ');
  throw new ConfigError(`${input.from} "${input.text}" is invalid: ${reasons}.`);
}
