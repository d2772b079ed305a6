/** An error the API answers with: HTTP status, FC error code and a message that names the field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidArgument = (message: string): ApiError => new ApiError(400, 'InvalidArgument', message);
export const entityTooLarge = (message: string): ApiError => new ApiError(400, 'EntityTooLarge', message);
export const functionNotFound = (name: string): ApiError =>
  new ApiError(404, 'FunctionNotFound', `function "${name}" does not exist`);
export const sessionNotFound = (functionName: string, sessionId: string): ApiError =>
  new ApiError(
    404,
    'SessionNotFound',
    `session "${sessionId}" of function "${functionName}" does not exist or is not Active`,
  );

/** A short, printable preview of a value for error messages. */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'an array' : typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
