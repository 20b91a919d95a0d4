import { afterEach, describe, expect, it, vi } from "vitest";
import { PASSWORD, postJson, signUp, type TokenPair, uniqueEmail } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

function captureLogs(): () => string[] {
  const lines: string[] = [];
  const keep = (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  };
  vi.spyOn(console, "log").mockImplementation(keep);
  vi.spyOn(console, "error").mockImplementation(keep);
  return () => lines;
}

describe("logs", () => {
  it("are JSON lines for every flow and never hold a password, token or hash", async () => {
    const lines = captureLogs();
    const email = uniqueEmail();

    const pair = await signUp(email);
    await postJson("/auth/login", { email, password: "wrong password!" });
    const login = (await (
      await postJson("/auth/login", { email, password: PASSWORD })
    ).json()) as TokenPair;
    const rotated = (await (
      await postJson("/auth/refresh", { refresh_token: login.refresh_token })
    ).json()) as TokenPair;
    await postJson("/auth/logout", { refresh_token: rotated.refresh_token });

    const events = lines().map((line) => JSON.parse(line) as { event: string; outcome?: string });
    expect(events.map((entry) => `${entry.event}:${entry.outcome}`)).toEqual(
      expect.arrayContaining([
        "signup:success",
        "login:failure",
        "login:success",
        "refresh:success",
        "logout:success",
      ]),
    );

    const everything = lines().join("\n");
    const secrets = [
      PASSWORD,
      "wrong password!",
      pair.access_token,
      pair.refresh_token,
      login.refresh_token,
      rotated.access_token,
      rotated.refresh_token,
      "$pbkdf2-sha256",
    ];
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
