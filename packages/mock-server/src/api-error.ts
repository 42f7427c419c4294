/** An error the API answers with a JSON body `{ "error": { code, message, param? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static badRequest(code: string, message: string, param?: string): ApiError {
    return new ApiError(400, code, message, param);
  }

  /** The JSON body of the error response. */
  body(): string {
    const error: Record<string, string> = { code: this.code, message: this.message };
    if (this.param !== undefined) error['param'] = this.param;
    return JSON.stringify({ error });
  }
}
