/**
 * CORS with an explicit allowlist (`CORS_ORIGINS`). A listed origin is echoed
 * back with credentials allowed; any other origin gets no CORS headers at
 * all, so the browser keeps the response from it. Nothing is ever `*`.
 */

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env";

const ALLOWED_METHODS = "GET, POST, DELETE";
const ALLOWED_HEADERS = "Authorization, Content-Type";
/** Seconds a browser may cache a preflight answer. */
const PREFLIGHT_MAX_AGE = "600";

/**
 * @example
 * app.use(cors());
 */
export const cors = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const origin = c.req.header("Origin");
    const allowed = origin !== undefined && c.get("service").config.corsOrigins.has(origin);
    const preflight =
      c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method") !== undefined;

    // Set before the response exists, so Hono folds them in once.
    c.header("Vary", "Origin", { append: true });
    if (allowed) {
      c.header("Access-Control-Allow-Origin", origin);
      c.header("Access-Control-Allow-Credentials", "true");
    }

    if (preflight) {
      if (allowed) {
        c.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
        c.header("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        c.header("Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
      }
      return c.body(null, 204);
    }
    await next();
  });
