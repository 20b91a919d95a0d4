/** The `/auth/*` routes: thin HTTP wrappers around the flows. */

import { Hono } from "hono";
import { login, signup } from "../accounts";
import type { AppEnv } from "../http/app-env";
import { requireAccessToken } from "../http/bearer";
import { readJsonObject, requireString } from "../http/json-body";
import { logout, refresh } from "../refresh-flow";

export const authRoutes = new Hono<AppEnv>();

/** Email, password and user agent from a signup or login request. */
async function readCredentials(request: Request) {
  const body = await readJsonObject(request);
  return {
    email: requireString(body, "email"),
    password: requireString(body, "password"),
    userAgent: request.headers.get("User-Agent"),
  };
}

authRoutes.post("/signup", async (c) => {
  const credentials = await readCredentials(c.req.raw);
  return c.json(await signup(c.var.service, credentials), 201);
});

authRoutes.post("/login", async (c) => {
  const credentials = await readCredentials(c.req.raw);
  return c.json(await login(c.var.service, credentials));
});

authRoutes.post("/refresh", async (c) => {
  const body = await readJsonObject(c.req.raw);
  return c.json(await refresh(c.var.service, requireString(body, "refresh_token")));
});

authRoutes.post("/logout", async (c) => {
  const body = await readJsonObject(c.req.raw);
  await logout(c.var.service, requireString(body, "refresh_token"));
  return c.body(null, 204);
});

// Answered from the access token alone: no D1 or KV read on this route.
authRoutes.get("/me", requireAccessToken(), (c) => {
  const { sub, email, roles, sid, exp } = c.var.claims;
  return c.json({ id: sub, email, roles, session_id: sid, expires_at: exp });
});
