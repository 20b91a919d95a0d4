// The per-isolate memo of verified access tokens must never accept what full
// verification would refuse.

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AccessClaims } from "../src/tokens/access";
import { VerifiedTokenCache } from "../src/tokens/verified-cache";
import { call, expectProblem, me, signUp } from "./helpers";
import { signToken, validClaims } from "./tokens";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const claims = (exp: number): AccessClaims => ({
  sub: "u",
  sid: "s",
  email: "e@example.com",
  roles: ["user"],
  jti: "j",
  iat: exp - 900,
  exp,
});

describe("VerifiedTokenCache", () => {
  it("forgets a token once it would be refused as expired", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", claims(1000));
    expect(cache.get("t", 1029, 30)).toBeDefined();
    expect(cache.get("t", 1030, 30)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("stays within its bound, dropping the oldest entry", () => {
    const cache = new VerifiedTokenCache(3);
    for (const token of ["a", "b", "c", "d"]) cache.set(token, claims(5000));
    expect(cache.size).toBe(3);
    expect(cache.get("a", 0, 0)).toBeUndefined();
    expect(cache.get("d", 0, 0)).toBeDefined();
  });

  it("hands out frozen claims, so a handler cannot poison later requests", () => {
    const cache = new VerifiedTokenCache();
    const stored = cache.set("t", claims(5000));
    expect(() => (stored.roles as string[]).push("admin")).toThrow(TypeError);
    expect(cache.get("t", 0, 0)?.roles).toEqual(["user"]);
  });
});

describe("through HTTP", () => {
  it("checks the signature once for a token used twice", async () => {
    const pair = await signUp();
    const verify = vi.spyOn(crypto.subtle, "verify");
    expect((await me(pair.access_token)).status).toBe(200);
    expect((await me(pair.access_token)).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it("refuses a remembered token once it has expired", async () => {
    const token = await signToken(validClaims());
    expect((await me(token)).status).toBe(200);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (300 + Number(env.CLOCK_TOLERANCE) + 1) * 1000);
    await expectProblem(await me(token), 401, "invalid_token");
  });

  it("does not let a remembered token skip a revocation check", async () => {
    const pair = await signUp();
    const auth = { Authorization: `Bearer ${pair.access_token}` };
    expect((await call("/auth/sessions", { headers: auth })).status).toBe(200);

    expect((await call("/auth/logout-all", { method: "POST", headers: auth })).status).toBe(204);
    await expectProblem(await call("/auth/sessions", { headers: auth }), 401, "invalid_token");
  });
});
