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
import { isAccessRevoked } from "../revocations";
import { type AccessClaims, TokenError } from "../tokens/access";
import { clearTokenCookies, readTokenCookies, setTokenCookies } from "./cookies";

/**
 * The signed-in user, or null. May set new token cookies on the response.
 *
 * @example
 * const user = await currentUser(c);
 * if (!user) return c.redirect("/login");
 */
export async function currentUser(
  c: Context<AppEnv>,
  options: { checkRevocation?: boolean } = {},
): Promise<AccessClaims | null> {
  const service = c.get("service");
  const cookies = readTokenCookies(c);

  if (cookies.access) {
    try {
      const claims = await verifyForService(service, cookies.access);
      // Like bearer routes: state-changing pages refuse revoked sessions and
      // tokens voided by a password change (two KV reads).
      if (options.checkRevocation && (await isAccessRevoked(service.kv, claims))) return null;
      return claims;
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
