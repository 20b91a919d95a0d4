/**
 * Everything a request needs that does not change between requests: parsed
 * configuration, imported keys, the password hasher, database handles. Built
 * once per isolate (per `env`) because key imports and validation are far
 * more expensive than the requests they serve.
 */

import { type Config, readConfig } from "./config";
import { type Database, openDatabase } from "./db/client";
import type { Limiters } from "./http/rate-limit";
import { type KeySet, loadKeySet } from "./keys";
import { log } from "./log";
import { createPasswordHasher, type PasswordHasher } from "./password";
import { VerifiedTokenCache } from "./tokens/verified-cache";

export interface Service {
  config: Config;
  keys: KeySet;
  hasher: PasswordHasher;
  /** Typed queries. */
  db: Database;
  /** The raw binding, for batches (one transaction each). */
  d1: D1Database;
  kv: KVNamespace;
  limiters: Limiters;
  /** Access tokens this isolate has already verified. */
  verifiedTokens: VerifiedTokenCache;
  /** Whole seconds since the epoch. */
  now(): number;
}

/**
 * Builds the service for an environment; throws ConfigError naming a bad setting.
 *
 * @example
 * const service = await createService(env);
 */
export async function createService(env: Env): Promise<Service> {
  const config = readConfig(env as unknown as Record<string, unknown>);
  const keys = await loadKeySet(env.JWT_SIGNING_KEYS);
  log("info", "service_ready", {
    issuer: config.issuer,
    audience: config.audience,
    signing_kid: keys.signer.kid,
    verifying_kids: [...keys.verifiers.keys()].join(","),
    peppered: config.pepper !== null,
  });
  return {
    config,
    keys,
    hasher: createPasswordHasher({ iterations: config.pbkdf2Iterations, pepper: config.pepper }),
    db: openDatabase(env.DB),
    d1: env.DB,
    kv: env.REVOCATIONS,
    limiters: { ip: env.IP_RATE_LIMITER, account: env.ACCOUNT_RATE_LIMITER },
    verifiedTokens: new VerifiedTokenCache(),
    now: () => Math.floor(Date.now() / 1000),
  };
}

const services = new WeakMap<object, Promise<Service>>();

/** The service for `env`, built on first use and reused by later requests. */
export function serviceFor(env: Env): Promise<Service> {
  let service = services.get(env);
  if (!service) {
    service = createService(env);
    service.catch((error: unknown) => {
      log("error", "config_invalid", { message: error instanceof Error ? error.message : "" });
    });
    services.set(env, service);
  }
  return service;
}
