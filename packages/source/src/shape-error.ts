/**
 * A 2xx response whose JSON does not have the shape the service config expects.
 * The request is retried (a proxy may have served a stray page); if it persists
 * the client turns it into a PermanentError that points at the config.
 */
export class ShapeError extends Error {
  /** The config field a user should check, e.g. `endpoints.sales.response.records`. */
  readonly configField: string;

  constructor(message: string, configField: string) {
    super(message);
    this.name = 'ShapeError';
    this.configField = configField;
  }
}
