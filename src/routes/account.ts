/**
 * Account routes under `/auth`: password change and session management.
 * All of them check revocation, since each changes or reveals session state.
 */

import { Hono } from "hono";
import { changePassword, listSessions, logoutEverywhere, revokeSessionOf } from "../account";
import type { AppEnv } from "../http/app-env";
import { requireAccessToken } from "../http/bearer";
import { readJsonObject, requireString } from "../http/json-body";
import { enforceRateLimits } from "../http/rate-limit";

export const accountRoutes = new Hono<AppEnv>();

const signedIn = requireAccessToken({ checkRevocation: true });

accountRoutes.post("/password", signedIn, async (c) => {
  const body = await readJsonObject(c.req.raw);
  const input = {
    currentPassword: requireString(body, "current_password"),
    newPassword: requireString(body, "new_password"),
  };
  const service = c.get("service");
  const claims = c.get("claims");
  await enforceRateLimits(service.limiters, "password_change", c.req.raw, `user:${claims.sub}`);
  return c.json(await changePassword(service, claims, input));
});

accountRoutes.post("/logout-all", signedIn, async (c) => {
  await logoutEverywhere(c.get("service"), c.get("claims"));
  return c.body(null, 204);
});

accountRoutes.get("/sessions", signedIn, async (c) => {
  return c.json({ sessions: await listSessions(c.get("service"), c.get("claims")) });
});

accountRoutes.delete("/sessions/:id", signedIn, async (c) => {
  await revokeSessionOf(c.get("service"), c.get("claims"), c.req.param("id"));
  return c.body(null, 204);
});
