// Crafting access tokens in tests, with the real signing key or without it.

import { env } from "cloudflare:workers";
import { importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import { toBase64Url, utf8 } from "../src/encoding";

export const signingJwk = (JSON.parse(env.JWT_SIGNING_KEYS) as { keys: JWK[] }).keys[0] as JWK;

const now = () => Math.floor(Date.now() / 1000);

/** Claims a valid token for `env`'s issuer and audience would carry. */
export function validClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: env.ISSUER,
    aud: env.AUDIENCE,
    sub: "user-1",
    sid: "session-1",
    email: "someone@example.com",
    roles: ["user"],
    jti: crypto.randomUUID(),
    iat: now(),
    exp: now() + 300,
    ...overrides,
  };
}

/** Signs claims with a private JWK (the service's own key by default). */
export async function signToken(
  claims: JWTPayload = validClaims(),
  header: Record<string, unknown> = {},
  jwk: JWK = signingJwk,
): Promise<string> {
  const key = await importJWK(jwk, jwk.alg);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg as string, kid: jwk.kid, typ: "at+jwt", ...header })
    .sign(key);
}

/** Assembles a JWS from raw parts, for headers jose refuses to produce. */
export function rawToken(header: object, claims: object, signature = ""): string {
  const part = (value: object) => toBase64Url(utf8(JSON.stringify(value)));
  return `${part(header)}.${part(claims)}.${signature}`;
}

/**
 * Signs arbitrary header and payload JSON text with the service's key,
 * for tokens jose will not produce (unknown `crit`, `1e999` numbers).
 */
export async function signRaw(header: object, payloadJson: string): Promise<string> {
  const encodedHeader = toBase64Url(utf8(JSON.stringify(header)));
  const payload = toBase64Url(utf8(payloadJson));
  const key = await crypto.subtle.importKey(
    "jwk",
    signingJwk as JsonWebKey,
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("Ed25519", key, utf8(`${encodedHeader}.${payload}`));
  return `${encodedHeader}.${payload}.${toBase64Url(new Uint8Array(signature))}`;
}
