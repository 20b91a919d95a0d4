import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url, utf8 } from "../src/encoding";
import worker from "../src/index";
import { BASE, call, expectInvalidToken, expectProblem, me, REALM, signUp } from "./helpers";
import { rawToken, signingJwk, signToken, validClaims } from "./tokens";

const now = () => Math.floor(Date.now() / 1000);

/** A binding that fails the test if the route touches it at all. */
function trap(name: string): never {
  return new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(`/auth/me touched ${name}.${String(property)}`);
      },
    },
  ) as never;
}

const expectRejected = async (token: string, description = "invalid") =>
  expectInvalidToken(await me(token), description);

describe("GET /auth/me", () => {
  it("answers with the caller, from the access token", async () => {
    const pair = await signUp();
    const response = await me(pair.access_token);

    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("Vary")).toContain("Authorization");
    expect(await response.json()).toMatchObject({
      id: pair.user.id,
      email: pair.user.email,
      roles: ["user"],
      session_id: expect.any(String),
      expires_at: expect.any(Number),
    });
  });

  it("touches neither D1 nor KV", async () => {
    const pair = await signUp();
    const trappedEnv = { ...env, DB: trap("DB"), REVOCATIONS: trap("REVOCATIONS") };
    const ctx = createExecutionContext();

    const request = new Request(`${BASE}/auth/me`, {
      headers: { Authorization: `Bearer ${pair.access_token}` },
    });
    const response = await worker.fetch(request, trappedEnv, ctx);
    await waitOnExecutionContext(ctx);

    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(pair.user.id);
  });

  it("asks for credentials when there are none (RFC 6750 section 3.1)", async () => {
    const response = await call("/auth/me");
    expect(response.headers.get("WWW-Authenticate")).toBe(REALM);
    await expectProblem(response, 401, "missing_token");
  });

  it("ignores a token in the query string", async () => {
    const pair = await signUp();
    const response = await call(`/auth/me?access_token=${pair.access_token}`);
    await expectProblem(response, 401, "missing_token");
  });

  it("accepts the scheme in any letter case", async () => {
    const pair = await signUp();
    const response = await call("/auth/me", {
      headers: { Authorization: `bEaReR ${pair.access_token}` },
    });
    expect(response.status).toBe(200);
  });
});

describe("GET /auth/me refuses bad tokens", () => {
  it("a tampered payload", async () => {
    const [header, , signature] = (await signToken()).split(".");
    const forged = toBase64Url(utf8(JSON.stringify(validClaims({ roles: ["admin"] }))));
    await expectRejected(`${header}.${forged}.${signature}`);
  });

  it("a flipped signature bit", async () => {
    const [header, payload, signature = ""] = (await signToken()).split(".");
    const bytes = fromBase64Url(signature) ?? new Uint8Array();
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expectRejected(`${header}.${payload}.${toBase64Url(bytes)}`);
  });

  it("an expired token, beyond the clock tolerance", async () => {
    const token = await signToken(validClaims({ iat: now() - 1000, exp: now() - 31 }));
    await expectRejected(token, "expired");
  });

  it("a wrong issuer", async () => {
    await expectRejected(await signToken(validClaims({ iss: "https://evil.example" })));
  });

  it("a wrong audience", async () => {
    await expectRejected(await signToken(validClaims({ aud: "another-api" })));
  });

  it('alg "none"', async () => {
    const header = { alg: "none", typ: "at+jwt", kid: signingJwk.kid };
    await expectRejected(rawToken(header, validClaims()));
  });

  it("a token signed by a key the service does not hold", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const stranger: JWK = { ...(await exportJWK(privateKey)), kid: signingJwk.kid, alg: "EdDSA" };
    await expectRejected(await signToken(validClaims(), {}, stranger));
  });

  it("a garbage string", async () => {
    await expectRejected("not-a-jwt");
  });
});
