import winston from 'winston';
import { ConfigError, type Log } from '@rdc/contracts';

export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LoggerOptions {
  /**
   * `json` writes one Cloud Logging entry per line (severity, message, fields);
   * `pretty` writes readable lines.
   * @default `json` on Cloud Run (K_SERVICE or CLOUD_RUN_JOB set) or when LOG_FORMAT=json, else `pretty`
   */
  format?: LogFormat;
  /** @default LOG_LEVEL or "info" */
  level?: LogLevel;
  /** Fields on every line, e.g. `{ app: 'worker' }`. */
  base?: Record<string, unknown>;
  /** Where lines go. @default process.stderr (stdout stays free for plans and summaries) */
  stream?: NodeJS.WritableStream;
}

const SEVERITY: Record<string, string> = { error: 'ERROR', warn: 'WARNING', info: 'INFO', debug: 'DEBUG' };

const FORMATS: readonly LogFormat[] = ['json', 'pretty'];
const LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/**
 * LOG_FORMAT and LOG_LEVEL, checked: a value that is not one of the choices is a
 * ConfigError (exit 2) naming the variable, never silently ignored.
 */
export function parseLogSettings(env: NodeJS.ProcessEnv = process.env): { format: LogFormat; level: LogLevel } {
  const format = env.LOG_FORMAT || undefined;
  const level = env.LOG_LEVEL || undefined;
  if (format !== undefined && !FORMATS.includes(format as LogFormat)) {
    throw new ConfigError(`LOG_FORMAT must be json or pretty (got "${format}").`);
  }
  if (level !== undefined && !LEVELS.includes(level as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LEVELS.join(', ')} (got "${level}").`);
  }
  return {
    format: (format as LogFormat | undefined) ?? (env.K_SERVICE || env.CLOUD_RUN_JOB ? 'json' : 'pretty'),
    level: (level as LogLevel | undefined) ?? 'info',
  };
}

export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return parseLogSettings(env).format;
}

/** Cloud Logging reads `severity` and `message` from each JSON line. */
const cloudJson = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info;
  const entry: Record<string, unknown> = { severity: SEVERITY[level] ?? 'DEFAULT', message, time: timestamp, ...rest };
  if (rest.error instanceof Error) entry.error = { name: rest.error.name, message: rest.error.message };
  return JSON.stringify(entry);
});

const SKIP_PRETTY = new Set(['app']);
const pretty = winston.format.printf((info) => {
  const { level, message, timestamp, ...rest } = info;
  const fields = Object.entries(rest)
    .filter(([k, v]) => v !== undefined && !SKIP_PRETTY.has(k))
    .map(([k, v]) => `${k}=${v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v)}`);
  const time = String(timestamp).slice(11, 19);
  return `${time} ${level.toUpperCase().padEnd(5)} ${String(message)}${fields.length ? `  ${fields.join(' ')}` : ''}`;
});

export function createLogger(options: LoggerOptions = {}): winston.Logger & Log {
  const settings = options.format && options.level ? undefined : parseLogSettings(process.env);
  const format = options.format ?? settings!.format;
  const level = options.level ?? settings!.level;
  if (!LEVELS.includes(level)) {
    throw new ConfigError(`Expected the log level to be one of ${LEVELS.join(', ')}, got \`${level}\``);
  }
  return winston.createLogger({
    level,
    defaultMeta: options.base,
    format: winston.format.combine(winston.format.timestamp(), format === 'json' ? cloudJson : pretty),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
}
