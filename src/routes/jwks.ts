import { Hono } from "hono";
import type { AppEnv } from "../http/app-env";

export const jwksRoutes = new Hono<AppEnv>();

// Verifiers cache this; five minutes keeps a rotation's "let caches turn over"
// step short while sparing the Worker a request per verification elsewhere.
const JWKS_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=60";

jwksRoutes.get("/jwks.json", (c) => {
  c.header("Cache-Control", JWKS_CACHE_CONTROL);
  return c.json(c.get("service").keys.publicJwks);
});
