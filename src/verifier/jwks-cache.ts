/**
 * A JWK set fetched from edge-auth's `/.well-known/jwks.json` and kept per
 * isolate: fetched once, trusted for `maxAge` seconds, and fetched again early
 * when a token names a `kid` the cache does not know (a key rotation), but
 * never more often than once per `refetchFloor` seconds, so a flood of tokens
 * with made-up kids cannot turn into a flood of fetches.
 */

import { importJWK, type JWK } from "jose";
import { isAlgorithm, type VerificationKey } from "../keys";

/** The part of `fetch` the cache needs: a service binding or the global fetch. */
export interface JwksFetcher {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

export interface JwksCacheOptions {
  url: string;
  fetcher: JwksFetcher;
  maxAge: number;
  refetchFloor: number;
  now: () => number;
}

/**
 * Imports the usable public keys of a JWK set; keys it cannot use are skipped.
 * A `kid` that appears twice keeps its first key: edge-auth never publishes
 * such a set, and a later entry must not be able to replace an earlier one.
 */
export async function importPublicKeys(jwks: JWK[]): Promise<Map<string, VerificationKey>> {
  const keys = new Map<string, VerificationKey>();
  for (const jwk of jwks) {
    if (typeof jwk.kid !== "string" || !isAlgorithm(jwk.alg) || jwk.d !== undefined) continue;
    if (keys.has(jwk.kid)) continue;
    try {
      keys.set(jwk.kid, {
        kid: jwk.kid,
        alg: jwk.alg,
        key: (await importJWK(jwk, jwk.alg)) as CryptoKey,
      });
    } catch {
      // A malformed key in the set must not take the good ones down with it.
    }
  }
  return keys;
}

export class JwksCache {
  #keys = new Map<string, VerificationKey>();
  #fetchedAt = -Infinity;
  #attemptedAt = -Infinity;
  #inflight: Promise<void> | undefined;

  constructor(private readonly options: JwksCacheOptions) {}

  /** The current keys, fetched first if there are none or they are stale. */
  async keys(): Promise<ReadonlyMap<string, VerificationKey>> {
    if (this.options.now() - this.#fetchedAt > this.options.maxAge) await this.#refresh();
    return this.#keys;
  }

  /**
   * The keys, after one early refetch if `kid` is unknown and the floor
   * allows it. The caller then finds the kid or fails with "unknown kid".
   */
  async keysFor(kid: string | undefined): Promise<ReadonlyMap<string, VerificationKey>> {
    const keys = await this.keys();
    if (kid === undefined || keys.has(kid)) return keys;
    if (this.options.now() - this.#attemptedAt < this.options.refetchFloor) return keys;
    await this.#refresh();
    return this.#keys;
  }

  /** One fetch at a time; concurrent callers share it. */
  #refresh(): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    this.#attemptedAt = this.options.now();
    try {
      const response = await this.options.fetcher.fetch(this.options.url, {
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error("JWKS has no keys array");
      this.#keys = await importPublicKeys(body.keys as JWK[]);
      this.#fetchedAt = this.options.now();
    } catch (error) {
      // Keep verifying with the keys we had; with none, every token fails closed.
      console.log(
        JSON.stringify({ level: "warn", event: "jwks_fetch_failed", error: String(error) }),
      );
    }
  }
}
