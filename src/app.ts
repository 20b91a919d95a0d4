/**
 * Assembles the Hono app: per-request service lookup, response headers, the
 * routes, and the one place where errors become problem+json responses.
 */

import { type Context, Hono } from "hono";
import { AppError, internalError, problemResponse } from "./errors";
import type { AppEnv } from "./http/app-env";
import { cors } from "./http/cors";
import { log } from "./log";
import { accountRoutes } from "./routes/account";
import { authRoutes } from "./routes/auth";
import { browserRoutes } from "./routes/browser";
import { jwksRoutes } from "./routes/jwks";
import { serviceFor } from "./service";
import { errorPage } from "./web/pages";
import { protectStaticSite } from "./web/protect";
import { sendPage } from "./web/render";

const misconfigured = () =>
  new AppError(503, "service_misconfigured", "The service is not configured correctly.");

/** API answers load nothing (pages set their own policy: see web/render.ts). */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers every response carries; none of our responses is meant to be framed. */
const SECURITY_HEADERS = Object.entries({
  "Content-Security-Policy": API_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  // Not "no-referrer": with it, browsers send `Origin: null` on same-site form
  // posts, which the CSRF check (rightly) refuses. "same-origin" still leaks
  // nothing to other sites.
  "Referrer-Policy": "same-origin",
  // Browsers ignore this on http://localhost, so it costs local development nothing.
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
});

/** API paths always answer problem+json; other paths answer browsers with pages. */
const API_PATH = /^\/(?:auth|\.well-known|session)(?:\/|$)/;

function wantsPage(c: Context): boolean {
  if (API_PATH.test(c.req.path)) return false;
  return (c.req.header("Accept") ?? "").startsWith("text/html");
}

/**
 * Builds the app. One per isolate is enough; routes are stateless.
 *
 * @example
 * export default { fetch: createApp().fetch };
 */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // Headers go in before any response exists: Hono then folds them into the
  // response once, where setting them afterwards would copy the whole
  // response per header (measured: ~50 µs a request). Pages replace the CSP.
  app.use(async (c, next) => {
    for (const [name, value] of SECURITY_HEADERS) c.header(name, value);
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
    c.header("Cache-Control", "no-store");
    c.header("Vary", "Authorization", { append: true });
    await next();
  });

  app.route("/auth", authRoutes);
  app.route("/auth", accountRoutes);
  app.route("/.well-known", jwksRoutes);
  app.route("/", browserRoutes);

  // Through c.newResponse, so the headers prepared above are kept. A browser
  // navigating to a page (not an API path) gets an HTML page instead of JSON.
  const problem = (c: Context, error: AppError) => {
    if (wantsPage(c)) return sendPage(c, errorPage(error.title), error.status as 404);
    const response = problemResponse(error);
    return c.newResponse(response.body, response);
  };

  app.notFound((c) => problem(c, new AppError(404, "not_found", "No such route.")));

  app.onError((error, c) => {
    const refusal = error instanceof AppError ? error : internalError();
    if (refusal.status >= 500) {
      log("error", "request_failed", {
        code: refusal.code,
        error: error.name,
        detail: error instanceof AppError ? refusal.reason : error.message,
      });
    }
    return problem(c, refusal);
  });

  return app;
}
