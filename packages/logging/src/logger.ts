import winston from 'winston';
import type { Log } from '@rdc/contracts';

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

export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return env.K_SERVICE || env.CLOUD_RUN_JOB ? 'json' : 'pretty';
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
  const format = options.format ?? defaultLogFormat();
  const level = options.level ?? (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info';
  if (!['error', 'warn', 'info', 'debug'].includes(level)) {
    throw new Error(`Expected LOG_LEVEL to be one of error, warn, info, debug, got \`${level}\``);
  }
  return winston.createLogger({
    level,
    defaultMeta: options.base,
    format: winston.format.combine(winston.format.timestamp(), format === 'json' ? cloudJson : pretty),
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stderr })],
  });
}
