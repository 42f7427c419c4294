export { createLogger, defaultLogFormat } from './logger.js';
export type { LoggerOptions, LogFormat, LogLevel } from './logger.js';
