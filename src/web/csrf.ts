/**
 * CSRF defence for requests that a browser authenticates with cookies: a
 * state-changing request must come from this site (or an allowed origin).
 * Browsers send `Origin` on every POST; where it is missing, the Fetch
 * Metadata header `Sec-Fetch-Site` decides. A request with neither is refused:
 * a browser always sends one, and other clients have no business posting
 * cookie-authenticated forms.
 */

import { createMiddleware } from "hono/factory";
import { AppError } from "../errors";
import type { AppEnv } from "../http/app-env";
import { log } from "../log";

/** True when the request comes from this site or an allowed origin. */
export function isSameSiteRequest(request: Request, allowed: ReadonlySet<string>): boolean {
  const origin = request.headers.get("Origin");
  if (origin !== null) return origin === new URL(request.url).origin || allowed.has(origin);
  return request.headers.get("Sec-Fetch-Site") === "same-origin";
}

/**
 * Refuses cross-site state-changing requests with 403.
 *
 * @example
 * browserRoutes.post("/logout", sameSiteOnly(), handler);
 */
export const sameSiteOnly = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!isSameSiteRequest(c.req.raw, c.get("service").config.corsOrigins)) {
      log("warn", "csrf_rejected", { path: c.req.path, origin: c.req.header("Origin") ?? null });
      throw new AppError(403, "csrf_rejected", "This request did not come from this site.");
    }
    await next();
  });
