/**
 * A per-isolate memo of access tokens that already passed verification, so a
 * client calling again with the same token costs a map lookup instead of a
 * signature check (most of the cost of a protected request).
 *
 * Why this is safe:
 * - the key is the exact token string, so only a string that itself passed
 *   full verification can hit an entry (an ES256 token's second valid form,
 *   see tokens/access.ts, is an entry of its own);
 * - an entry is used only while the token itself would still be accepted
 *   (`now < exp + clockTolerance`), then dropped;
 * - only successes are stored, and revocation checks are not cached: a route
 *   that asks for one still reads KV on every request;
 * - the isolate's key set is fixed for its life (keys come from a secret), so
 *   a key removed from the set arrives with new isolates and an empty cache.
 * Bounded: the oldest entry goes when the cache is full.
 */

import type { AccessClaims } from "./access";

/** Enough for the active users one isolate serves; ~1 KiB each. */
export const VERIFIED_CACHE_LIMIT = 2_000;

export class VerifiedTokenCache {
  readonly #entries = new Map<string, Readonly<AccessClaims>>();

  constructor(private readonly limit = VERIFIED_CACHE_LIMIT) {}

  /** The claims of a token verified before, if it would still be accepted now. */
  get(token: string, now: number, clockTolerance: number): Readonly<AccessClaims> | undefined {
    const claims = this.#entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp + clockTolerance <= now) {
      this.#entries.delete(token);
      return undefined;
    }
    return claims;
  }

  /** Remembers a token that just passed full verification. */
  set(token: string, claims: AccessClaims): Readonly<AccessClaims> {
    if (this.#entries.size >= this.limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    const frozen = Object.freeze({ ...claims, roles: Object.freeze([...claims.roles]) });
    this.#entries.set(token, frozen as Readonly<AccessClaims>);
    return frozen as Readonly<AccessClaims>;
  }

  get size(): number {
    return this.#entries.size;
  }
}
