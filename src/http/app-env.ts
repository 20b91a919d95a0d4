import type { Service } from "../service";

/** Hono's type parameters for this app: the Worker env and per-request values. */
export type AppEnv = {
  Bindings: Env;
  Variables: { service: Service };
};
