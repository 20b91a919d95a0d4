import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Pages load only this site's own styles and scripts, and post only to it. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Answers with an HTML page under the page CSP (API answers get a stricter one).
 *
 * @example
 * return sendPage(c, loginPage({ next }), 401);
 */
export function sendPage(
  c: Context,
  markup: Parameters<Context["html"]>[0],
  status: ContentfulStatusCode = 200,
) {
  c.header("Content-Security-Policy", PAGE_CSP);
  return c.html(markup, status);
}
