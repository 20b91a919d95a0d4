// Behaviour that local workerd would let slide but production would not.

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createPasswordHasher } from "../src/password";
import {
  advanceClock,
  expectProblem,
  PASSWORD,
  postJson,
  signUp,
  type TokenPair,
  uniqueEmail,
} from "./helpers";

afterEach(() => {
  vi.useRealTimers();
});

describe("PBKDF2's production cap of 100,000 iterations", () => {
  it("is enforced in tests as in production", async () => {
    const tooHigh = createPasswordHasher({ iterations: 600_000, pepper: null });
    await expect(tooHigh.hash("whatever you like")).rejects.toThrow(/above 100000/);
  });
});

describe("KV's 60-second minimum TTL", () => {
  it("rotating a refresh token seconds before it expires is not a 500", async () => {
    const pair = await signUp();
    advanceClock(Number(env.REFRESH_TOKEN_TTL) - 5);
    const response = await postJson("/auth/refresh", { refresh_token: pair.refresh_token });
    expect(response.status).toBe(200);
  });

  it("logging out seconds before the token expires is not a 500", async () => {
    const pair = await signUp();
    advanceClock(Number(env.REFRESH_TOKEN_TTL) - 5);
    const response = await postJson("/auth/logout", { refresh_token: pair.refresh_token });
    expect(response.status).toBe(204);
  });
});

describe("rehash on login", () => {
  it("upgrades a hash made with older parameters, transparently", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const old = createPasswordHasher({ iterations: 50_000, pepper: env.PASSWORD_PEPPER });
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE email = ?")
      .bind(await old.hash(PASSWORD), email)
      .run();

    const response = await postJson("/auth/login", { email, password: PASSWORD });
    expect(response.status).toBe(200);
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?")
      .bind(email)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$pbkdf2-sha256\$i=100000,p=1\$/);
    expect((await postJson("/auth/login", { email, password: PASSWORD })).status).toBe(200);
  });

  it("refuses a stored hash above the cap instead of failing with a 500", async () => {
    const email = uniqueEmail();
    const pair: TokenPair = await signUp(email);
    const hash = `$pbkdf2-sha256$i=600000,p=1$AAAAAAAAAAAAAAAAAAAAAA$${"A".repeat(43)}`;
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?")
      .bind(hash, pair.user.id)
      .run();

    const response = await postJson("/auth/login", { email, password: PASSWORD });
    await expectProblem(response, 401, "invalid_credentials");
  });
});
