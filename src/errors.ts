/**
 * One error type for everything the service refuses, rendered in one place as
 * `application/problem+json` (RFC 9457).
 *
 * The `code` is the stable, machine-readable part of the contract; `title` is
 * a short public sentence. Anything internal (why a token failed to verify,
 * which constraint tripped) goes to the log, never into the body.
 */

/** Extra response headers an error must carry, e.g. `WWW-Authenticate`. */
export type ErrorHeaders = Record<string, string>;

/**
 * A refusal with an HTTP status and a stable code.
 *
 * @example
 * throw new AppError(409, "email_taken", "An account with this email already exists.");
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly headers: ErrorHeaders = {},
    /** Logged, never sent: the reason behind a generic public message. */
    readonly reason?: string,
  ) {
    super(`${code}: ${title}`);
    this.name = "AppError";
  }
}

/** The problem-details `type` URI for a code; stable as long as the code is. */
export function problemType(code: string): string {
  return `urn:edge-auth:problem:${code}`;
}

/**
 * Renders a problem+json response.
 *
 * @example
 * return problemResponse(new AppError(400, "invalid_json", "The body is not valid JSON."));
 */
export function problemResponse(error: AppError): Response {
  const body = {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    code: error.code,
  };
  const headers = new Headers(error.headers);
  headers.set("Content-Type", "application/problem+json");
  headers.set("Cache-Control", "no-store");
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/** The answer to anything unexpected: a 500 that reveals nothing. */
export const internalError = () =>
  new AppError(500, "internal_error", "The server could not complete the request.");
