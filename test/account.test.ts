import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  call,
  expectProblem,
  me,
  PASSWORD,
  postJson,
  signUp,
  type TokenPair,
  uniqueEmail,
} from "./helpers";

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const refresh = (token: string) => postJson("/auth/refresh", { refresh_token: token });
const sessions = (token: string) => call("/auth/sessions", { headers: auth(token) });
const changePassword = (token: string, current: string, next: string) =>
  postJson("/auth/password", { current_password: current, new_password: next }, auth(token));

async function loginAs(email: string, password = PASSWORD, userAgent = "test-agent/1.0") {
  const response = await postJson("/auth/login", { email, password }, { "User-Agent": userAgent });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenPair;
}

interface SessionView {
  id: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  user_agent: string | null;
  current: boolean;
}

describe("POST /auth/password", () => {
  it("changes the password and revokes every other session", async () => {
    const email = uniqueEmail();
    const first = await signUp(email);
    const second = await loginAs(email);

    const response = await changePassword(second.access_token, PASSWORD, "a brand new passphrase");
    expect(response.status).toBe(200);
    const fresh = (await response.json()) as { access_token: string; token_type: string };
    expect(fresh.token_type).toBe("Bearer");

    // The other session is dead, the caller's own session lives on.
    await expectProblem(await refresh(first.refresh_token), 401, "invalid_grant");
    expect((await refresh(second.refresh_token)).status).toBe(200);

    // Only the new password logs in.
    expect((await postJson("/auth/login", { email, password: PASSWORD })).status).toBe(401);
    expect(
      (await postJson("/auth/login", { email, password: "a brand new passphrase" })).status,
    ).toBe(200);
  });

  it("voids access tokens issued before the change on routes that check revocation", async () => {
    const email = uniqueEmail();
    const first = await signUp(email);
    const second = await loginAs(email);
    // Tokens are issued with whole-second iat: step past this second first.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const fresh = (await (
      await changePassword(second.access_token, PASSWORD, "a brand new passphrase")
    ).json()) as { access_token: string };

    for (const stale of [first.access_token, second.access_token]) {
      const response = await sessions(stale);
      expect(response.headers.get("WWW-Authenticate")).toContain('error_description="revoked"');
      await expectProblem(response, 401, "invalid_token");
    }
    expect((await sessions(fresh.access_token)).status).toBe(200);
    // Plain verification does not look revocation up: that is the documented window.
    expect((await me(first.access_token)).status).toBe(200);
  });

  it("refuses a wrong current password with 403 and changes nothing", async () => {
    const email = uniqueEmail();
    const pair = await signUp(email);
    const response = await changePassword(
      pair.access_token,
      "not my password",
      "another passphrase",
    );
    await expectProblem(response, 403, "wrong_password");
    expect((await postJson("/auth/login", { email, password: PASSWORD })).status).toBe(200);
  });

  it("applies the password rules to the new password", async () => {
    const pair = await signUp();
    await expectProblem(
      await changePassword(pair.access_token, PASSWORD, "short"),
      400,
      "password_too_short",
    );
  });

  it("needs a bearer token", async () => {
    const response = await postJson("/auth/password", { current_password: "a", new_password: "b" });
    await expectProblem(response, 401, "missing_token");
  });
});

describe("sessions", () => {
  it("lists the caller's live sessions with created, last used and user agent", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const phone = await loginAs(email, PASSWORD, "PhoneBrowser/2.0");

    const response = await sessions(phone.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const list = ((await response.json()) as { sessions: SessionView[] }).sessions;
    expect(list).toHaveLength(2);
    const current = list.find((session) => session.current);
    expect(current).toMatchObject({ user_agent: "PhoneBrowser/2.0" });
    expect(current?.created_at).toBeLessThanOrEqual(current?.last_used_at ?? 0);
    expect(list.filter((session) => session.current)).toHaveLength(1);
  });

  it("revokes one session by id; its refresh token dies, others live", async () => {
    const email = uniqueEmail();
    const laptop = await signUp(email);
    const phone = await loginAs(email);
    const list = (
      (await (await sessions(laptop.access_token)).json()) as { sessions: SessionView[] }
    ).sessions;
    const phoneSession = list.find((session) => !session.current);

    const response = await call(`/auth/sessions/${phoneSession?.id}`, {
      method: "DELETE",
      headers: auth(laptop.access_token),
    });
    expect(response.status).toBe(204);
    await expectProblem(await refresh(phone.refresh_token), 401, "invalid_grant");
    expect((await refresh(laptop.refresh_token)).status).toBe(200);
    await expectProblem(await sessions(phone.access_token), 401, "invalid_token");
  });

  it("answers 404 for another user's session, and leaves it alone", async () => {
    const mallory = await signUp();
    const alice = await signUp();
    const aliceSession = ((await (await me(alice.access_token)).json()) as { session_id: string })
      .session_id;

    const response = await call(`/auth/sessions/${aliceSession}`, {
      method: "DELETE",
      headers: auth(mallory.access_token),
    });
    await expectProblem(response, 404, "session_not_found");
    expect((await refresh(alice.refresh_token)).status).toBe(200);
  });
});

describe("POST /auth/logout-all", () => {
  it("revokes every session of the user, the current one included", async () => {
    const email = uniqueEmail();
    const first = await signUp(email);
    const second = await loginAs(email);

    const response = await call("/auth/logout-all", {
      method: "POST",
      headers: auth(first.access_token),
    });
    expect(response.status).toBe(204);
    await expectProblem(await refresh(first.refresh_token), 401, "invalid_grant");
    await expectProblem(await refresh(second.refresh_token), 401, "invalid_grant");
    await expectProblem(await sessions(second.access_token), 401, "invalid_token");

    const live = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM sessions JOIN users ON users.id = sessions.user_id WHERE email = ? AND revoked_at IS NULL",
    )
      .bind(email)
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
  });
});
