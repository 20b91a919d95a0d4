/**
 * Verifying edge-auth access tokens in other Workers: `edge-auth/verify`.
 *
 * No shared secret: a verifier needs the issuer, the audience and either the
 * JWKS URL of the edge-auth deployment (fetched once per isolate, cached, and
 * fetched again on an unknown `kid`) or the public keys inline.
 *
 * @example
 * import { edgeAuth } from "edge-auth/verify";
 *
 * app.use("/api/*", edgeAuth((env) => ({
 *   issuer: "https://auth.example.com",
 *   audience: "edge-auth",
 *   jwksUrl: "https://auth.example.com/.well-known/jwks.json",
 *   fetcher: env.AUTH, // a service binding to edge-auth; omit to use fetch()
 * })));
 * app.get("/api/me", (c) => c.json({ user: c.get("auth").sub }));
 */

import type { MiddlewareHandler } from "hono";
import { decodeProtectedHeader, type JWK } from "jose";
import { AppError, problemResponse } from "../errors";
import { readBearer } from "../http/bearer";
import type { VerificationKey } from "../keys";
import { type AccessClaims, TokenError, verifyAccessToken } from "../tokens/access";
import { importPublicKeys, JwksCache, type JwksFetcher } from "./jwks-cache";

export type { AccessClaims } from "../tokens/access";
export { TokenError } from "../tokens/access";
export type { JwksFetcher } from "./jwks-cache";

export interface VerifierOptions {
  /** The edge-auth deployment's ISSUER; tokens from anyone else are refused. */
  issuer: string;
  /** The AUDIENCE tokens must be issued for. */
  audience: string;
  /** Where the public keys are published; give this or `keys`. */
  jwksUrl?: string;
  /** Fetches the JWKS: a service binding to edge-auth, or the global fetch (default). */
  fetcher?: JwksFetcher;
  /** Public JWKs to trust, instead of fetching them. */
  keys?: JWK[];
  /** Seconds of clock skew accepted (default 30). */
  clockTolerance?: number;
  /** Longest token lifetime accepted, seconds (default 3600, edge-auth's maximum). */
  maxLifetime?: number;
  /** Seconds a fetched JWKS is used before it is fetched again (default 600). */
  jwksMaxAge?: number;
  /** Fewest seconds between fetches caused by unknown `kid`s (default 30). */
  jwksRefetchFloor?: number;
}

export interface Verifier {
  /** The token's claims; throws TokenError (with a `reason`) when it is not valid. */
  verify(token: string): Promise<AccessClaims>;
}

function fail(option: string, problem: string): never {
  throw new TypeError(`edge-auth verifier: option "${option}" ${problem}`);
}

function checkOptions(options: VerifierOptions): void {
  if (typeof options.issuer !== "string" || !URL.canParse(options.issuer)) {
    fail("issuer", "must be the issuer URL");
  }
  if (typeof options.audience !== "string" || options.audience === "") {
    fail("audience", "must be a non-empty string");
  }
  if ((options.jwksUrl === undefined) === (options.keys === undefined)) {
    fail("jwksUrl", 'or "keys" must be given, not both');
  }
  if (options.jwksUrl !== undefined && !URL.canParse(options.jwksUrl)) {
    fail("jwksUrl", "must be an absolute URL");
  }
}

/**
 * Builds a verifier; checks its options at once and throws a TypeError naming a bad one.
 * Build it once per isolate, not per request: it holds the key cache.
 *
 * @example
 * const verifier = createVerifier({ issuer, audience, jwksUrl });
 * const claims = await verifier.verify(token);
 */
export function createVerifier(options: VerifierOptions): Verifier {
  checkOptions(options);
  const now = () => Math.floor(Date.now() / 1000);
  const settings = {
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockTolerance ?? 30,
    maxLifetime: options.maxLifetime ?? 3600,
  };

  let resolveKeys: (kid: string | undefined) => Promise<ReadonlyMap<string, VerificationKey>>;
  if (options.keys) {
    const imported = importPublicKeys(options.keys);
    resolveKeys = () => imported;
  } else {
    const cache = new JwksCache({
      url: options.jwksUrl as string,
      fetcher: options.fetcher ?? { fetch: (input, init) => fetch(input, init) },
      maxAge: options.jwksMaxAge ?? 600,
      refetchFloor: options.jwksRefetchFloor ?? 30,
      now,
    });
    resolveKeys = (kid) => cache.keysFor(kid);
  }

  return {
    async verify(token) {
      let kid: string | undefined;
      try {
        kid = decodeProtectedHeader(token).kid;
      } catch {
        throw new TokenError("malformed token");
      }
      const keys = await resolveKeys(kid);
      return verifyAccessToken(token, { ...settings, keys, now: now() });
    },
  };
}

/**
 * Hono middleware: verifies the bearer token and exposes its claims as
 * `c.get("auth")`; a missing or bad token gets 401 with `WWW-Authenticate`.
 * Options may depend on the Worker's env; they are read once per isolate.
 *
 * @example
 * app.use("/api/*", edgeAuth((env) => ({ issuer: env.ISSUER, audience: "api", jwksUrl })));
 */
export function edgeAuth<E extends object = Record<string, unknown>>(
  options: VerifierOptions | ((env: E) => VerifierOptions),
): MiddlewareHandler<{ Bindings: E; Variables: { auth: AccessClaims } }> {
  const verifiers = new WeakMap<object, Verifier>();
  const fixed = typeof options === "function" ? undefined : createVerifier(options);

  return async (c, next) => {
    let verifier = fixed ?? verifiers.get(c.env);
    if (!verifier) {
      verifier = createVerifier((options as (env: E) => VerifierOptions)(c.env));
      verifiers.set(c.env, verifier);
    }

    const token = readBearer(c.req.header("Authorization"));
    if (token === "missing") return unauthorized(undefined);
    if (token === "malformed") return unauthorized("malformed");
    try {
      c.set("auth", await verifier.verify(token));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      return unauthorized(error.expired ? "expired" : "invalid");
    }
    await next();
  };
}

function unauthorized(description: string | undefined): Response {
  const challenge = description
    ? `Bearer error="invalid_token", error_description="${description}"`
    : "Bearer";
  const code = description ? "invalid_token" : "missing_token";
  const title = "A valid edge-auth access token is required.";
  return problemResponse(new AppError(401, code, title, { "WWW-Authenticate": challenge }));
}
