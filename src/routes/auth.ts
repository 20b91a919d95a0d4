/** The `/auth/*` routes: thin HTTP wrappers around the flows. */

import { Hono } from "hono";
import { login, signup } from "../accounts";
import type { AppEnv } from "../http/app-env";
import { requireAccessToken } from "../http/bearer";
import { readJsonObject, requireString } from "../http/json-body";
import { admitCredentials, enforceRateLimits } from "../http/rate-limit";
import { logout, refresh } from "../refresh-flow";
import type { Service } from "../service";

export const authRoutes = new Hono<AppEnv>();

/**
 * Email, password and user agent from a signup or login request, with the
 * attempt counted against the client IP and the account (`admitted`).
 */
async function readCredentials(service: Service, action: string, request: Request) {
  const body = await readJsonObject(request);
  const email = requireString(body, "email");
  const password = requireString(body, "password");

  const admitted = admitCredentials(service.limiters, action, request, email);
  return { email, password, userAgent: request.headers.get("User-Agent"), admitted };
}

authRoutes.post("/signup", async (c) => {
  const credentials = await readCredentials(c.get("service"), "signup", c.req.raw);
  return c.json(await signup(c.get("service"), credentials), 201);
});

authRoutes.post("/login", async (c) => {
  const credentials = await readCredentials(c.get("service"), "login", c.req.raw);
  return c.json(await login(c.get("service"), credentials));
});

// Refresh tokens carry 256 random bits, so guessing one is hopeless; the
// per-IP limit is there to bound the load an attacker can put on D1.
authRoutes.post("/refresh", async (c) => {
  const body = await readJsonObject(c.req.raw);
  const token = requireString(body, "refresh_token");
  await enforceRateLimits(c.get("service").limiters, "refresh", c.req.raw);
  return c.json(await refresh(c.get("service"), token));
});

authRoutes.post("/logout", async (c) => {
  const body = await readJsonObject(c.req.raw);
  await logout(c.get("service"), requireString(body, "refresh_token"));
  return c.body(null, 204);
});

// Answered from the access token alone: no D1 or KV read on this route.
authRoutes.get("/me", requireAccessToken(), (c) => {
  const { sub, email, roles, sid, exp } = c.get("claims");
  return c.json({ id: sub, email, roles, session_id: sid, expires_at: exp });
});
