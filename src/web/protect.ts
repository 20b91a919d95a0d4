/**
 * The gate in front of the static site: a request for a protected path
 * (PROTECTED_PATHS) is served from static assets only to a signed-in user
 * holding the pattern's role. Verification is the access cookie alone (no
 * D1, no KV); the refresh cookie is used only when that has expired.
 * Everyone else goes to the login page and comes back afterwards.
 */

import { createMiddleware } from "hono/factory";
import type { ProtectedPath } from "../config";
import type { AppEnv } from "../http/app-env";
import { log } from "../log";
import { currentUser } from "./browser-session";
import { forbiddenPage } from "./pages";
import { PAGE_CSP, sendPage } from "./render";

/** The most specific rule covering `path`, if any (rules come sorted). */
export function matchProtectedPath(
  rules: readonly ProtectedPath[],
  path: string,
): ProtectedPath | undefined {
  return rules.find((rule) =>
    rule.wildcard
      ? path.startsWith(rule.prefix) || `${path}/` === rule.prefix
      : path === rule.prefix,
  );
}

/**
 * @example
 * app.use(protectStaticSite());
 */
export const protectStaticSite = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const rule = matchProtectedPath(c.get("service").config.protectedPaths, c.req.path);
    if (!rule) return next();

    const user = await currentUser(c);
    if (!user) {
      const url = new URL(c.req.url);
      const back = encodeURIComponent(`${url.pathname}${url.search}`);
      return c.redirect(`/login?next=${back}`, 303);
    }
    if (rule.role !== null && !user.roles.includes(rule.role)) {
      log("info", "static_site_forbidden", { user_id: user.sub, pattern: rule.pattern });
      return sendPage(c, forbiddenPage(rule.role), 403);
    }

    const asset = await c.env.ASSETS.fetch(c.req.raw);
    // Per-user content: never in a shared cache. newResponse keeps any cookies a
    // transparent refresh just set.
    const response = new Response(asset.body, asset);
    response.headers.set("Cache-Control", "private, no-store");
    response.headers.set("Content-Security-Policy", PAGE_CSP);
    return c.newResponse(response.body, response);
  });
