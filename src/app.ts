/**
 * Assembles the Hono app: per-request service lookup, response headers, the
 * routes, and the one place where errors become problem+json responses.
 */

import { Hono } from "hono";
import { AppError, internalError, problemResponse } from "./errors";
import type { AppEnv } from "./http/app-env";
import { cors } from "./http/cors";
import { log } from "./log";
import { accountRoutes } from "./routes/account";
import { authRoutes } from "./routes/auth";
import { browserRoutes } from "./routes/browser";
import { jwksRoutes } from "./routes/jwks";
import { serviceFor } from "./service";
import { protectStaticSite } from "./web/protect";

const misconfigured = () =>
  new AppError(503, "service_misconfigured", "The service is not configured correctly.");

/** Headers every response carries; none of our responses is meant to be framed. */
const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  // Not "no-referrer": with it, browsers send `Origin: null` on same-site form
  // posts, which the CSRF check (rightly) refuses. "same-origin" still leaks
  // nothing to other sites.
  "Referrer-Policy": "same-origin",
  // Browsers ignore this on http://localhost, so it costs local development nothing.
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
};

/** API answers load nothing; pages load only this site's own styles and scripts. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Builds the app. One per isolate is enough; routes are stateless.
 *
 * @example
 * export default { fetch: createApp().fetch };
 */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // Outermost, so error responses (rendered by onError below) get them too.
  app.use(async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    const page = c.res.headers.get("Content-Type")?.startsWith("text/html") ?? false;
    c.header("Content-Security-Policy", page ? PAGE_CSP : API_CSP);
  });

  app.use(async (c, next) => {
    try {
      c.set("service", await serviceFor(c.env));
    } catch {
      throw misconfigured(); // the reason was logged once, naming the setting
    }
    await next();
  });

  app.use(cors());
  app.use(protectStaticSite());

  // Token responses and anything derived from a token must never be cached.
  app.use("/auth/*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("Vary", "Authorization", { append: true });
  });

  app.route("/auth", authRoutes);
  app.route("/auth", accountRoutes);
  app.route("/.well-known", jwksRoutes);
  app.route("/", browserRoutes);

  app.notFound(() => problemResponse(new AppError(404, "not_found", "No such route.")));

  app.onError((error) => {
    const problem = error instanceof AppError ? error : internalError();
    if (problem.status >= 500) {
      log("error", "request_failed", {
        code: problem.code,
        error: error.name,
        detail: error instanceof AppError ? problem.reason : error.message,
      });
    }
    return problemResponse(problem);
  });

  return app;
}
