import type { Service } from "../service";

/**
 * Hono's type parameters for this app: the Worker env and per-request values.
 * Read those with `c.get("service")`, not `c.var.service`: Hono builds a new
 * object of all variables on every `c.var` access (hono 4.13), several per
 * request on the hot path.
 */
export type AppEnv = {
  Bindings: Env;
  Variables: { service: Service };
};
