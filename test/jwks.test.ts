import { env } from "cloudflare:workers";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { call, signUp } from "./helpers";

describe("GET /.well-known/jwks.json", () => {
  it("publishes public keys only, cacheable", async () => {
    const response = await call("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toMatch(/^public, max-age=\d+/);

    const jwks = (await response.json()) as JSONWebKeySet;
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });

  it("verifies an issued access token with nothing but the published set", async () => {
    const pair = await signUp();
    const jwks = (await (await call("/.well-known/jwks.json")).json()) as JSONWebKeySet;

    const { payload, protectedHeader } = await jwtVerify(
      pair.access_token,
      createLocalJWKSet(jwks),
      { issuer: env.ISSUER, audience: env.AUDIENCE, algorithms: ["EdDSA"], typ: "at+jwt" },
    );
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload).toMatchObject({
      sub: pair.user.id,
      email: pair.user.email,
      roles: ["user"],
      sid: expect.any(String),
      jti: expect.any(String),
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(Number(env.ACCESS_TOKEN_TTL));
  });
});
