/**
 * Reading an HTML form post (`application/x-www-form-urlencoded`), bounded
 * like JSON bodies, for the browser pages that work without JavaScript.
 */

import { AppError } from "../errors";
import { MAX_BODY_BYTES, readBounded } from "./json-body";

/**
 * The fields of a form post; a field that is absent reads as "".
 *
 * @example
 * const form = await readForm(c.req.raw);
 * form.get("email");
 */
export async function readForm(request: Request): Promise<{ get(name: string): string }> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(type)) {
    throw new AppError(415, "unsupported_media_type", "Send the form as a URL-encoded body.");
  }

  const bytes = await readBounded(request, MAX_BODY_BYTES);
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes),
    );
  } catch {
    throw new AppError(400, "invalid_form", "The form could not be read.");
  }
  return { get: (name) => params.get(name) ?? "" };
}
