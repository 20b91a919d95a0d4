import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { expectProblem, PASSWORD, postJson, signUp, uniqueEmail } from "./helpers";

async function countUsers(email: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = ?")
    .bind(email)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /auth/signup", () => {
  it("creates the account and answers 201 with an RFC 6749 token response", async () => {
    const email = uniqueEmail();
    const response = await postJson("/auth/signup", { email, password: PASSWORD });

    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(body.access_token).toEqual(expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/));
    expect(body.refresh_token).toEqual(expect.stringMatching(/^[\w-]{43}$/));
    expect(body.user).toMatchObject({ email, roles: ["user"] });
    expect(await countUsers(email)).toBe(1);
  });

  it("stores a self-describing PBKDF2 hash, never the password or the refresh token", async () => {
    const email = uniqueEmail();
    const pair = await signUp(email);

    const user = await env.DB.prepare("SELECT password_hash FROM users WHERE email = ?")
      .bind(email)
      .first<{ password_hash: string }>();
    expect(user?.password_hash).toMatch(/^\$pbkdf2-sha256\$i=100000,p=1\$[\w-]{22}\$[\w-]{43}$/);

    const dump = JSON.stringify(await env.DB.prepare("SELECT * FROM refresh_tokens").all());
    expect(dump).not.toContain(pair.refresh_token);
  });

  it("treats emails differing only in case and surrounding spaces as one account", async () => {
    const email = uniqueEmail("Case");
    await signUp(email);

    const again = await postJson("/auth/signup", {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
    });
    await expectProblem(again, 409, "email_taken");
    expect(await countUsers(email.toLowerCase())).toBe(1);
  });

  it("creates exactly one user when the same email signs up concurrently", async () => {
    const email = uniqueEmail("race");
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => postJson("/auth/signup", { email, password: PASSWORD })),
    );
    const statuses = responses.map((response) => response.status).sort();

    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(await countUsers(email)).toBe(1);
    const sessions = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM sessions JOIN users ON users.id = sessions.user_id WHERE email = ?",
    )
      .bind(email)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(1);
  });

  it.each([
    ["not an email", "invalid_email"],
    ["missing-at.example.com", "invalid_email"],
    ["two@@example.com", "invalid_email"],
    [`${"a".repeat(250)}@example.com`, "invalid_email"],
  ])("refuses the email %j with 400", async (email, code) => {
    await expectProblem(await postJson("/auth/signup", { email, password: PASSWORD }), 400, code);
  });

  it.each([
    ["short", "password_too_short"],
    ["1234567", "password_too_short"],
    ["x".repeat(257), "password_too_long"],
  ])("refuses a password of %#th kind with 400 and writes nothing", async (password, code) => {
    const email = uniqueEmail();
    await expectProblem(await postJson("/auth/signup", { email, password }), 400, code);
    expect(await countUsers(email)).toBe(0);
  });

  it("refuses a one-megabyte password as an oversized body, before any hashing", async () => {
    const email = uniqueEmail();
    const password = "x".repeat(1_000_000);
    await expectProblem(await postJson("/auth/signup", { email, password }), 413, "body_too_large");
    expect(await countUsers(email)).toBe(0);
  });

  it("counts password length in characters after NFKC, not bytes", async () => {
    // Eight accented letters: sixteen UTF-8 bytes, eight characters.
    const response = await postJson("/auth/signup", {
      email: uniqueEmail(),
      password: "éééééééé",
    });
    expect(response.status).toBe(201);
  });

  it("writes no account when its tokens cannot be signed, so a retry can succeed", async () => {
    const email = uniqueEmail();
    const sign = crypto.subtle.sign.bind(crypto.subtle);
    // Only the token signature fails; the pepper's HMAC still works.
    vi.spyOn(crypto.subtle, "sign").mockImplementation((algorithm, key, data) =>
      key.algorithm.name === "Ed25519"
        ? Promise.reject(new Error("signing is down"))
        : sign(algorithm, key, data),
    );
    const failed = await postJson("/auth/signup", { email, password: PASSWORD });
    expect(failed.status).toBe(500);
    expect(await countUsers(email)).toBe(0);

    vi.restoreAllMocks();
    expect((await postJson("/auth/signup", { email, password: PASSWORD })).status).toBe(201);
  });

  it.each([
    [{}, "invalid_request"],
    [{ email: uniqueEmail() }, "invalid_request"],
    [{ password: PASSWORD }, "invalid_request"],
    [{ email: 42, password: PASSWORD }, "invalid_request"],
    [{ email: uniqueEmail(), password: ["a", "b"] }, "invalid_request"],
    [{ email: "", password: PASSWORD }, "invalid_request"],
  ])("refuses the body %j with 400", async (body, code) => {
    await expectProblem(await postJson("/auth/signup", body), 400, code);
  });
});
