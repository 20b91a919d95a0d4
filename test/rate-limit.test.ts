import { describe, expect, it } from "vitest";
import { expectProblem, PASSWORD, postJson, randomIp, uniqueEmail } from "./helpers";

// wrangler.toml: 60 attempts per IP and 10 per account, per 60 seconds.
const login = (email: string, ip: string) =>
  postJson("/auth/login", { email, password: PASSWORD }, { "CF-Connecting-IP": ip });

describe("brute-force limits", () => {
  it("limits login attempts per account, whatever the client IP", async () => {
    const email = uniqueEmail("target");
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(email, randomIp())).status);

    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
  });

  it("limits attempts per client IP, whatever the account", async () => {
    const ip = randomIp();
    let last: Response | undefined;
    for (let i = 0; i < 61; i++) last = await login(uniqueEmail(), ip);

    const response = last as Response;
    expect(response.headers.get("Retry-After")).toBe("60");
    await expectProblem(response, 429, "rate_limited");
  });

  it("counts signup and refresh against the same per-IP budget", async () => {
    const ip = randomIp();
    for (let i = 0; i < 60; i++) {
      await postJson("/auth/refresh", { refresh_token: "x" }, { "CF-Connecting-IP": ip });
    }
    const signup = await postJson(
      "/auth/signup",
      { email: uniqueEmail(), password: PASSWORD },
      { "CF-Connecting-IP": ip },
    );
    await expectProblem(signup, 429, "rate_limited");
  });
});
