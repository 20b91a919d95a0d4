/**
 * Bearer authentication for protected routes (RFC 6750): the token comes
 * from the Authorization header only (never the query string), and every
 * failure is a 401 whose `WWW-Authenticate` says why in RFC 6750 terms.
 */

import { createMiddleware } from "hono/factory";
import { AppError } from "../errors";
import { log } from "../log";
import { isAccessRevoked } from "../revocations";
import type { Service } from "../service";
import { type AccessClaims, TokenError, verifyAccessToken } from "../tokens/access";
import type { AppEnv } from "./app-env";

/** Far above any token we issue; bounds the work an attacker can ask for. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

const REALM = 'Bearer realm="edge-auth"';

/** 401 for a request without credentials: no error code (RFC 6750 section 3.1). */
const missingToken = () =>
  new AppError(401, "missing_token", "This route needs a bearer access token.", {
    "WWW-Authenticate": REALM,
  });

const invalidToken = (description: string) =>
  new AppError(401, "invalid_token", "The access token is invalid or expired.", {
    "WWW-Authenticate": `${REALM}, error="invalid_token", error_description="${description}"`,
  });

/**
 * The token of an Authorization header: the scheme in any letter case, one
 * token, bounded length. Shared with edge-auth/verify.
 *
 * @example
 * readBearer("bearer abc.def.ghi") // "abc.def.ghi"
 */
export function readBearer(header: string | undefined): string | "missing" | "malformed" {
  if (header === undefined || header === "") return "missing";
  if (header.length > MAX_AUTHORIZATION_LENGTH) return "malformed";
  // JWTs are unpadded base64url: anything else in the token is not one of ours.
  const match = /^Bearer +([A-Za-z0-9._-]+) *$/i.exec(header);
  return match?.[1] ?? "malformed";
}

/** The bearer token in an Authorization header, or null if there is none. */
export function bearerToken(header: string | undefined): string | null {
  const token = readBearer(header);
  if (token === "missing") return null;
  if (token === "malformed") throw invalidToken("malformed");
  return token;
}

/**
 * Verifies an access token with the service's keys and settings; throws
 * TokenError. Shared by bearer and cookie authentication. A token this isolate
 * verified before is answered from its memo (see tokens/verified-cache.ts).
 */
export async function verifyForService(service: Service, token: string): Promise<AccessClaims> {
  const { config, keys, verifiedTokens } = service;
  const now = service.now();
  const known = verifiedTokens.get(token, now, config.clockTolerance);
  if (known) return known;

  const claims = await verifyAccessToken(token, {
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockTolerance,
    keys: keys.verifiers,
    now,
    maxLifetime: config.accessTokenTtl,
  });
  return verifiedTokens.set(token, claims);
}

export interface AccessOptions {
  /**
   * Also refuse tokens of revoked sessions and tokens voided by a password
   * change, at the cost of two KV reads. Off by default: plain verification
   * touches neither D1 nor KV.
   */
  checkRevocation?: boolean;
}

/**
 * Verifies the access token and exposes its claims as `c.get("claims")`.
 *
 * @example
 * app.get("/auth/me", requireAccessToken(), (c) => c.json(c.get("claims")));
 * app.get("/auth/sessions", requireAccessToken({ checkRevocation: true }), listHandler);
 */
export const requireAccessToken = (options: AccessOptions = {}) =>
  createMiddleware<AppEnv & { Variables: { claims: AccessClaims } }>(async (c, next) => {
    const token = bearerToken(c.req.header("Authorization"));
    if (token === null) throw missingToken();

    const service = c.get("service");
    let claims: AccessClaims;
    try {
      claims = await verifyForService(service, token);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      log("info", "access_token_rejected", { reason: error.reason });
      throw invalidToken(error.expired ? "expired" : "invalid");
    }

    if (options.checkRevocation && (await isAccessRevoked(service.kv, claims))) {
      log("info", "access_token_rejected", { reason: "revoked", session_id: claims.sid });
      throw invalidToken("revoked");
    }
    c.set("claims", claims);
    await next();
  });
