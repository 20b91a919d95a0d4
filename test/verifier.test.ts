// edge-auth/verify: other Workers checking edge-auth tokens with public keys only.

import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { JWK } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import api from "../examples/api-worker/src/index";
import { publicJwk } from "../src/keys";
import { createVerifier, type JwksFetcher } from "../src/verifier/index";
import { signUp } from "./helpers";
import { signingJwk, signToken, validClaims } from "./tokens";

const JWKS_URL = "https://edge-auth.internal/.well-known/jwks.json";

afterEach(() => {
  vi.useRealTimers();
});

/** The edge-auth Worker itself, reached like a service binding; counts JWKS fetches. */
function countingAuthService() {
  const calls: string[] = [];
  const fetcher: JwksFetcher = {
    fetch(input, init) {
      calls.push(new URL(input).pathname);
      return exports.default.fetch(new Request(input, init));
    },
  };
  return { fetcher, calls };
}

describe("createVerifier", () => {
  it("checks its options when built, naming the bad one", () => {
    const base = { issuer: env.ISSUER, audience: env.AUDIENCE };
    expect(() => createVerifier({ ...base, issuer: "nope", jwksUrl: JWKS_URL })).toThrow(
      /option "issuer"/,
    );
    expect(() => createVerifier(base)).toThrow(/option "jwksUrl"/);
    expect(() => createVerifier({ ...base, audience: "", keys: [] })).toThrow(/option "audience"/);
  });

  it("verifies with inline public keys, no network", async () => {
    const verifier = createVerifier({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      keys: [publicJwk(signingJwk)],
    });
    const pair = await signUp();
    expect((await verifier.verify(pair.access_token)).sub).toBe(pair.user.id);
    await expect(verifier.verify(await signToken(validClaims({ aud: "other" })))).rejects.toThrow();
  });

  it("fetches the JWKS once and reuses it", async () => {
    const { fetcher, calls } = countingAuthService();
    const verifier = createVerifier({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      jwksUrl: JWKS_URL,
      fetcher,
    });
    const pair = await signUp();
    for (let i = 0; i < 5; i++) await verifier.verify(pair.access_token);
    expect(calls).toEqual(["/.well-known/jwks.json"]);
  });

  it("refetches on an unknown kid, but at most once per floor", async () => {
    const { fetcher, calls } = countingAuthService();
    const verifier = createVerifier({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      jwksUrl: JWKS_URL,
      fetcher,
      jwksRefetchFloor: 30,
    });
    await verifier.verify(await signToken());
    const stranger = await signToken(validClaims(), {}, JSON.parse(env.TEST_RETIRED_KEY) as JWK);

    await expect(verifier.verify(stranger)).rejects.toThrow();
    await expect(verifier.verify(stranger)).rejects.toThrow();
    expect(calls).toHaveLength(1); // inside the floor: no second fetch

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    await expect(verifier.verify(stranger)).rejects.toThrow();
    expect(calls).toHaveLength(2); // past it: one more
  });

  it("keeps verifying with the keys it has when a refetch fails", async () => {
    let healthy = true;
    const fetcher: JwksFetcher = {
      fetch: (input, init) =>
        healthy
          ? exports.default.fetch(new Request(input, init))
          : Promise.resolve(new Response("down", { status: 503 })),
    };
    const verifier = createVerifier({
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      jwksUrl: JWKS_URL,
      fetcher,
      jwksMaxAge: 1,
    });
    const token = await signToken();
    await verifier.verify(token);
    healthy = false;
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 5_000);
    expect((await verifier.verify(token)).sub).toBe("user-1");
  });
});

describe("the example API Worker, with edge-auth behind a service binding", () => {
  const apiEnv = () => ({
    AUTH: {
      fetch: (input: RequestInfo, init?: RequestInit) =>
        exports.default.fetch(new Request(input, init)),
    },
    ISSUER: env.ISSUER,
    AUDIENCE: env.AUDIENCE,
  });
  const callApi = (path: string, token?: string, apiBindings = apiEnv()) =>
    api.fetch(
      new Request(`https://api.example${path}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      }),
      apiBindings,
      createExecutionContext(),
    );

  it("serves a user signed up at edge-auth", async () => {
    const pair = await signUp();
    const response = await callApi("/api/hello", pair.access_token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: pair.user.email, user_id: pair.user.id });
  });

  it("refuses a missing or forged token with 401 and WWW-Authenticate", async () => {
    const missing = await callApi("/api/hello");
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toBe("Bearer");

    const malformed = await callApi("/api/hello", "two tokens");
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get("WWW-Authenticate")).toContain('error_description="malformed"');

    const forged = await callApi(
      "/api/hello",
      await signToken(validClaims({ iss: "https://evil" })),
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  });

  it("applies its own role rule on top", async () => {
    const pair = await signUp();
    expect((await callApi("/api/reports", pair.access_token)).status).toBe(403);
    const admin = await signToken(validClaims({ roles: ["user", "admin"] }));
    expect((await callApi("/api/reports", admin)).status).toBe(200);
  });
});
