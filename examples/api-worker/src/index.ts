/**
 * An example API Worker that trusts edge-auth's access tokens without calling
 * edge-auth per request: it fetches the public keys once (over a service
 * binding, so not even over the public internet) and verifies locally.
 */

import { type AccessClaims, edgeAuth } from "edge-auth/verify";
import { Hono } from "hono";

export interface ApiEnv {
  /** Service binding to the edge-auth Worker. */
  AUTH: Fetcher;
  ISSUER: string;
  AUDIENCE: string;
}

const app = new Hono<{ Bindings: ApiEnv; Variables: { auth: AccessClaims } }>();

app.use(
  "/api/*",
  edgeAuth<ApiEnv>((env) => ({
    issuer: env.ISSUER,
    audience: env.AUDIENCE,
    // The host is not looked up: a service binding delivers to edge-auth directly.
    jwksUrl: "https://edge-auth.internal/.well-known/jwks.json",
    fetcher: env.AUTH,
  })),
);

app.get("/api/hello", (c) => c.json({ hello: c.get("auth").email, user_id: c.get("auth").sub }));

app.get("/api/reports", (c) => {
  if (!c.get("auth").roles.includes("admin")) {
    return c.json({ code: "forbidden", title: "Admins only." }, 403);
  }
  return c.json({ reports: [] });
});

export default app;
