import { afterEach, describe, expect, it, vi } from "vitest";
import { ipBucket } from "../src/http/rate-limit";
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

describe("a refused attempt costs no hashing", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(["/auth/login", "/auth/signup"])("on %s", async (path) => {
    const ip = randomIp();
    const email = uniqueEmail("limited");
    for (let i = 0; i < 10; i++) {
      await postJson(path, { email, password: PASSWORD }, { "CF-Connecting-IP": randomIp() });
    }
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    const response = await postJson(
      path,
      { email, password: PASSWORD },
      { "CF-Connecting-IP": ip },
    );
    await expectProblem(response, 429, "rate_limited");
    expect(derive).not.toHaveBeenCalled();
  });
});

describe("ipBucket", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002:ffff::", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
  ])("counts %s as %s", (ip, bucket) => {
    expect(ipBucket(ip)).toBe(bucket);
  });

  it("makes one IPv6 /64 share one budget, whatever the interface id", async () => {
    for (let i = 1; i <= 60; i++) await login(uniqueEmail(), `2001:db8:77:1::${i.toString(16)}`);
    const response = await login(uniqueEmail(), "2001:db8:77:1:ffff:ffff:ffff:ffff");
    await expectProblem(response, 429, "rate_limited");
  });
});
