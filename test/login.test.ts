import { afterEach, describe, expect, it, vi } from "vitest";
import { expectProblem, me, PASSWORD, postJson, signUp, uniqueEmail } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /auth/login", () => {
  it("answers 200 with a new token pair for the right password", async () => {
    const email = uniqueEmail();
    const first = await signUp(email);

    const response = await postJson("/auth/login", {
      email: ` ${email.toUpperCase()}`,
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const pair = (await response.json()) as typeof first;
    expect(pair.user.id).toBe(first.user.id);
    expect(pair.refresh_token).not.toBe(first.refresh_token);
    expect((await me(pair.access_token)).status).toBe(200);
  });

  it("gives a wrong password and an unknown email the identical 401", async () => {
    const email = uniqueEmail();
    await signUp(email);

    const wrong = await postJson("/auth/login", { email, password: "not the password" });
    const unknown = await postJson("/auth/login", { email: uniqueEmail(), password: PASSWORD });
    const wrongBody = await expectProblem(wrong, 401, "invalid_credentials");
    const unknownBody = await expectProblem(unknown, 401, "invalid_credentials");
    expect(unknownBody).toEqual(wrongBody);
  });

  it("spends the same PBKDF2 work on an unknown email as on a known one", async () => {
    const email = uniqueEmail();
    await signUp(email);
    const derive = vi.spyOn(crypto.subtle, "deriveBits");

    await postJson("/auth/login", { email, password: "not the password" });
    const known = derive.mock.calls.map(([algorithm]) => algorithm);
    derive.mockClear();
    await postJson("/auth/login", { email: uniqueEmail(), password: "not the password" });
    const unknown = derive.mock.calls.map(([algorithm]) => algorithm);

    expect(known).toHaveLength(1);
    expect(unknown).toHaveLength(1);
    const iterations = (calls: unknown[]) =>
      calls.map((call) => (call as { iterations: number }).iterations);
    expect(iterations(unknown)).toEqual(iterations(known));
  });

  it("accepts the password typed in composed or decomposed Unicode", async () => {
    const email = uniqueEmail();
    const composed = "caf\u00e9 au lait!";
    const decomposed = "cafe\u0301 au lait!";
    await signUp(email, composed);

    expect((await postJson("/auth/login", { email, password: decomposed })).status).toBe(200);
    expect((await postJson("/auth/login", { email, password: composed })).status).toBe(200);
  });

  it("refuses an oversized password with 400 before hashing", async () => {
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const response = await postJson("/auth/login", {
      email: uniqueEmail(),
      password: "x".repeat(5000),
    });
    await expectProblem(response, 400, "password_too_long");
    expect(derive).not.toHaveBeenCalled();
  });

  it("refuses a malformed body with 400", async () => {
    await expectProblem(
      await postJson("/auth/login", { email: uniqueEmail() }),
      400,
      "invalid_request",
    );
  });
});
