/**
 * Cookie mode for browsers. Both tokens travel in `__Host-` cookies: HttpOnly
 * (no JavaScript can read them), Secure, Path=/ and no Domain (the prefix
 * makes the browser enforce all three), SameSite=Lax (sent on top-level
 * navigations from other sites, never on their sub-requests or form posts).
 * Lifetimes match the tokens'.
 *
 * On http://localhost and http://127.0.0.1 browsers treat the page as a
 * secure context and accept Secure cookies, so `wrangler dev` works as is.
 */

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../config";
import type { TokenResponse } from "../token-response";

export const ACCESS_COOKIE = "access";
export const REFRESH_COOKIE = "refresh";

const BASE = { path: "/", secure: true, httpOnly: true, sameSite: "Lax", prefix: "host" } as const;

/** Stores a token pair in the browser. */
export function setTokenCookies(c: Context, config: Config, pair: TokenResponse): void {
  setCookie(c, ACCESS_COOKIE, pair.access_token, { ...BASE, maxAge: config.accessTokenTtl });
  setCookie(c, REFRESH_COOKIE, pair.refresh_token, { ...BASE, maxAge: config.refreshTokenTtl });
}

/** Removes both token cookies. */
export function clearTokenCookies(c: Context): void {
  deleteCookie(c, ACCESS_COOKIE, BASE);
  deleteCookie(c, REFRESH_COOKIE, BASE);
}

/** The tokens the browser sent, if any. */
export function readTokenCookies(c: Context) {
  return {
    access: getCookie(c, ACCESS_COOKIE, "host"),
    refresh: getCookie(c, REFRESH_COOKIE, "host"),
  };
}
