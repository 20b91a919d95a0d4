/**
 * Who the browser is, from its cookies: the access cookie is verified at the
 * edge with no D1 or KV read; only when it is missing or expired does the
 * refresh cookie get exchanged (transparently) for a new pair.
 */

import type { Context } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../http/app-env";
import { verifyForService } from "../http/bearer";
import { enforceRateLimits } from "../http/rate-limit";
import { refresh } from "../refresh-flow";
import { type AccessClaims, TokenError } from "../tokens/access";
import { clearTokenCookies, readTokenCookies, setTokenCookies } from "./cookies";

/**
 * The signed-in user, or null. May set new token cookies on the response.
 *
 * @example
 * const user = await currentUser(c);
 * if (!user) return c.redirect("/login");
 */
export async function currentUser(c: Context<AppEnv>): Promise<AccessClaims | null> {
  const { service } = c.var;
  const cookies = readTokenCookies(c);

  if (cookies.access) {
    try {
      return await verifyForService(service, cookies.access);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
    }
  }
  if (!cookies.refresh) return null;

  try {
    await enforceRateLimits(service.limiters, "refresh", c.req.raw);
    const pair = await refresh(service, cookies.refresh);
    setTokenCookies(c, service.config, pair);
    return await verifyForService(service, pair.access_token);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "rate_limited") throw error;
    // "Superseded" means a parallel request of this same browser just rotated
    // the token and is setting the new cookies: clearing them here would log
    // the user out. Anything else is a dead session.
    if (error.code !== "refresh_token_superseded") clearTokenCookies(c);
    return null;
  }
}
