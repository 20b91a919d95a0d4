/**
 * Reading a JSON request body safely: the media type is checked, the size is
 * bounded while streaming (a body without Content-Length cannot slip past),
 * and every way the body can be wrong becomes a 4xx problem, never a 500.
 */

import { AppError } from "../errors";

/** Auth requests are a few hundred bytes; anything near this is not one. */
export const MAX_BODY_BYTES = 8 * 1024;

const tooLarge = () => new AppError(413, "body_too_large", "The request body is too large.");

/** The request body, refused with 413 as soon as it grows past `limit` bytes. */
export async function readBounded(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length"));
  if (declared > limit) throw tooLarge();
  if (!request.body) return new Uint8Array();

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The client went away mid-upload: its problem, not a server error.
      throw new AppError(400, "body_incomplete", "The request body ended unexpectedly.");
    });
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }

  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * The request's JSON object body.
 *
 * @example
 * const body = await readJsonObject(c.req.raw); // 415, 413 or 400 on bad input
 */
export async function readJsonObject(
  request: Request,
  limit = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AppError(415, "unsupported_media_type", "Send the body as application/json.");
  }

  const bytes = await readBounded(request, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw new AppError(400, "invalid_json", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AppError(400, "invalid_request", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/**
 * A required string member of a body.
 *
 * @example
 * const email = requireString(body, "email");
 */
export function requireString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "") {
    throw new AppError(400, "invalid_request", `The field "${name}" must be a non-empty string.`);
  }
  // A lone surrogate (JSON allows "\ud800") has no UTF-8 form: encoders turn it
  // into U+FFFD, so two different inputs would hash or store as the same text.
  if (!value.isWellFormed()) {
    throw new AppError(400, "invalid_request", `The field "${name}" is not valid Unicode text.`);
  }
  return value;
}
