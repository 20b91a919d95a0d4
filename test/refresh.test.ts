import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { advanceClock, expectProblem, me, postJson, signUp, type TokenPair } from "./helpers";

const refresh = (token: unknown) => postJson("/auth/refresh", { refresh_token: token });
const logout = (token: unknown) => postJson("/auth/logout", { refresh_token: token });

afterEach(() => {
  vi.useRealTimers();
});

async function sessionRevoked(sessionId: string): Promise<boolean> {
  const row = await env.DB.prepare("SELECT revoked_at FROM sessions WHERE id = ?")
    .bind(sessionId)
    .first<{ revoked_at: number | null }>();
  return row?.revoked_at != null;
}

const sessionOf = async (pair: TokenPair) =>
  ((await (await me(pair.access_token)).json()) as { session_id: string }).session_id;

describe("POST /auth/refresh", () => {
  it("answers 200 with a new pair for the same user and session", async () => {
    const first = await signUp();
    const response = await refresh(first.refresh_token);

    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const next = (await response.json()) as TokenPair;
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect(next.user).toEqual(first.user);
    expect(await sessionOf(next)).toBe(await sessionOf(first));
  });

  it("kills the old refresh token: a second use is a 401", async () => {
    const first = await signUp();
    expect((await refresh(first.refresh_token)).status).toBe(200);
    await expectProblem(await refresh(first.refresh_token), 401, "refresh_token_superseded");
  });

  it("lets a rotated token keep rotating down the chain", async () => {
    let pair = await signUp();
    for (let i = 0; i < 3; i++) {
      const response = await refresh(pair.refresh_token);
      expect(response.status).toBe(200);
      pair = await response.json();
    }
    expect((await me(pair.access_token)).status).toBe(200);
  });

  it("records the rotated-out token in KV with an expiry", async () => {
    const first = await signUp();
    await refresh(first.refresh_token);
    const { keys } = await env.REVOCATIONS.list({ prefix: "rt:" });
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => typeof key.expiration === "number")).toBe(true);
  });

  it.each([["not-a-token"], ["A".repeat(43)], ["x".repeat(5000)]])(
    "refuses the unknown token %# with 401",
    async (token) => {
      await expectProblem(await refresh(token), 401, "invalid_grant");
    },
  );

  it.each([[{}], [{ refresh_token: 7 }], [{ refresh_token: null }]])(
    "refuses the body %j with 400",
    async (body) => {
      await expectProblem(await postJson("/auth/refresh", body), 400, "invalid_request");
    },
  );

  it("refuses an expired refresh token", async () => {
    const pair = await signUp();
    advanceClock(Number(env.REFRESH_TOKEN_TTL) + 1);
    await expectProblem(await refresh(pair.refresh_token), 401, "invalid_grant");
  });
});

describe("refresh races and reuse", () => {
  it("two refreshes racing with one token yield exactly one success", async () => {
    const pair = await signUp();
    const responses = await Promise.all([refresh(pair.refresh_token), refresh(pair.refresh_token)]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
  });

  it("ten concurrent refreshes leave exactly one usable successor", async () => {
    const pair = await signUp();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => refresh(pair.refresh_token)),
    );
    const winners = responses.filter((response) => response.status === 200);
    expect(winners).toHaveLength(1);

    // The race is honest, so the session survives and the winner can go on.
    const next = (await winners[0]?.json()) as TokenPair;
    expect((await refresh(next.refresh_token)).status).toBe(200);
  });

  it("reuse after the grace window revokes the whole session", async () => {
    const first = await signUp();
    const second = (await (await refresh(first.refresh_token)).json()) as TokenPair;
    const sessionId = await sessionOf(second);

    advanceClock(Number(env.REFRESH_REUSE_GRACE) + 1);
    await expectProblem(await refresh(first.refresh_token), 401, "invalid_grant");

    // The thief's replay also kills the legitimate holder's newer token.
    await expectProblem(await refresh(second.refresh_token), 401, "invalid_grant");
    expect(await sessionRevoked(sessionId)).toBe(true);
  });

  it("reuse inside the grace window keeps the session", async () => {
    const first = await signUp();
    const second = (await (await refresh(first.refresh_token)).json()) as TokenPair;

    await expectProblem(await refresh(first.refresh_token), 401, "refresh_token_superseded");
    expect((await refresh(second.refresh_token)).status).toBe(200);
  });
});

describe("POST /auth/logout", () => {
  it("answers 204 and the session can no longer refresh", async () => {
    const pair = await signUp();
    const sessionId = await sessionOf(pair);

    expect((await logout(pair.refresh_token)).status).toBe(204);
    await expectProblem(await refresh(pair.refresh_token), 401, "invalid_grant");
    expect(await sessionRevoked(sessionId)).toBe(true);
    expect(await env.REVOCATIONS.get(`sid:${sessionId}`)).not.toBeNull();
  });

  it("leaves the user's other sessions alone", async () => {
    const email = `two-sessions-${crypto.randomUUID()}@example.com`;
    const first = await signUp(email);
    const login = await postJson("/auth/login", {
      email,
      password: "correct horse battery staple",
    });
    const second = (await login.json()) as TokenPair;

    expect((await logout(first.refresh_token)).status).toBe(204);
    expect((await refresh(second.refresh_token)).status).toBe(200);
  });

  it("is idempotent and silent about unknown tokens", async () => {
    const pair = await signUp();
    expect((await logout(pair.refresh_token)).status).toBe(204);
    expect((await logout(pair.refresh_token)).status).toBe(204);
    expect((await logout("A".repeat(43))).status).toBe(204);
  });

  it("refuses a body without a token with 400", async () => {
    await expectProblem(await postJson("/auth/logout", {}), 400, "invalid_request");
  });
});
