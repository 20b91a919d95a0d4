/**
 * Access tokens: short-lived JWTs in the RFC 9068 profile (`typ: at+jwt`),
 * signed with the first key of the set and verified with nothing but public
 * keys, so any Worker can check one without a database or a network call.
 *
 * The verifier fixes everything a token could try to choose for itself: the
 * algorithm comes from the key the `kid` names (never from the header alone),
 * and issuer, audience and type are always checked.
 */

import { errors, type JWTHeaderParameters, jwtVerify, SignJWT } from "jose";
import type { KeySet, VerificationKey } from "../keys";

export const ACCESS_TOKEN_TYPE = "at+jwt";

/** What an access token says about its holder. */
export interface AccessClaims {
  /** The user's id. */
  sub: string;
  /** The session (refresh-token family) the token was issued for. */
  sid: string;
  email: string;
  roles: string[];
  jti: string;
  iat: number;
  exp: number;
}

/** Why a token was refused; logged, and summarised in `WWW-Authenticate`. */
export class TokenError extends Error {
  constructor(
    readonly reason: string,
    readonly expired = false,
  ) {
    super(reason);
    this.name = "TokenError";
  }
}

/**
 * Signs an access token for a user's session.
 *
 * @example
 * const jwt = await signAccessToken(keys.signer, claims, { issuer, audience, ttl: 900, now });
 */
export async function signAccessToken(
  signer: KeySet["signer"],
  subject: { sub: string; sid: string; email: string; roles: string[] },
  options: { issuer: string; audience: string; ttl: number; now: number },
): Promise<string> {
  return new SignJWT({ sid: subject.sid, email: subject.email, roles: subject.roles })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(subject.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt(options.now)
    .setExpirationTime(options.now + options.ttl)
    .sign(signer.key);
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  /** Seconds of skew allowed on `exp`, `nbf` and `iat`. */
  clockTolerance: number;
  keys: ReadonlyMap<string, VerificationKey>;
  /** Seconds since the epoch; defaults to the clock. */
  now?: number;
  /** Longest `exp - iat` accepted, in seconds; a longer-lived token is refused. */
  maxLifetime?: number;
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

/**
 * Ids in our tokens are UUIDs. Anything else is refused before it can reach
 * a KV key or a query (KV rejects some characters and keys over 512 bytes).
 */
const isId = (value: unknown): value is string =>
  typeof value === "string" && /^[A-Za-z0-9_-]{1,128}$/.test(value);

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * True for the one canonical unpadded spelling: a length that encodes whole
 * bytes, and zero spare bits in the last character (2 or 4 of them). O(1)
 * beyond the alphabet check, since this runs on every full verification.
 */
export function isCanonicalBase64Url(part: string): boolean {
  if (!BASE64URL.test(part)) return false;
  const tail = part.length % 4;
  if (tail === 0) return true;
  if (tail === 1) return false;
  const last = ALPHABET.indexOf(part.at(-1) ?? "A");
  return (last & (tail === 2 ? 0x0f : 0x03)) === 0;
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === "string");

/** Checks the claims jose leaves to the application; returns them typed. */
function readClaims(payload: Record<string, unknown>, options: VerifyOptions): AccessClaims {
  const { sub, sid, email, roles, jti, iat, exp, nbf } = payload;
  // JSON.parse turns 1e999 into Infinity, which is a number: insist on finite.
  if (!isFiniteNumber(iat) || !isFiniteNumber(exp) || (nbf !== undefined && !isFiniteNumber(nbf)))
    throw new TokenError("time claims must be finite numbers");
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (iat > now + options.clockTolerance) throw new TokenError("issued in the future");
  if (options.maxLifetime !== undefined && exp - iat > options.maxLifetime) {
    throw new TokenError("lifetime longer than this issuer grants");
  }
  if (!isId(sub)) throw new TokenError("sub must be an id");
  if (!isId(sid)) throw new TokenError("sid must be an id");
  if (typeof jti !== "string" || jti === "") throw new TokenError("missing jti");
  if (typeof email !== "string") throw new TokenError("missing email");
  if (!isStringArray(roles)) throw new TokenError("roles must be an array of strings");
  return { sub, sid, email, roles, jti, iat, exp };
}

/**
 * Verifies an access token; throws TokenError with the reason when it fails.
 *
 * @example
 * const claims = await verifyAccessToken(jwt, { issuer, audience, clockTolerance: 30, keys });
 */
export async function verifyAccessToken(
  token: string,
  options: VerifyOptions,
): Promise<AccessClaims> {
  const resolveKey = (header: JWTHeaderParameters): CryptoKey => {
    const entry = header.kid === undefined ? undefined : options.keys.get(header.kid);
    if (!entry) throw new TokenError("unknown kid");
    if (header.alg !== entry.alg) throw new TokenError("algorithm does not match the key");
    return entry.key;
  };

  // base64url has several spellings of the same bytes (spare low bits); accept
  // only the canonical one. EdDSA and RS256 signatures then have one string
  // form per token; an ECDSA (ES256) signature is also valid with s replaced by
  // n - s, so an ES256 token has two, each verified in full. Nothing keys on
  // the token string but the memo of verified tokens; revocation goes by
  // session and user.
  if (!token.split(".").every(isCanonicalBase64Url)) throw new TokenError("malformed token");

  try {
    const { payload } = await jwtVerify(token, resolveKey, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: [...new Set([...options.keys.values()].map((entry) => entry.alg))],
      typ: ACCESS_TOKEN_TYPE,
      clockTolerance: options.clockTolerance,
      requiredClaims: ["iss", "aud", "sub", "iat", "exp", "jti"],
      currentDate: options.now === undefined ? undefined : new Date(options.now * 1000),
    });
    return readClaims(payload, options);
  } catch (error) {
    if (error instanceof TokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new TokenError("token expired", true);
    if (error instanceof errors.JOSEError) throw new TokenError(error.code);
    // jose throws TypeError for some malformed inputs (e.g. a non-object payload).
    throw new TokenError("malformed token");
  }
}
