export { createLogger, defaultLogFormat, parseLogSettings } from './logger.js';
export type { LoggerOptions, LogFormat, LogLevel } from './logger.js';
