import { afterEach, describe, expect, it, vi } from "vitest";
import { ipBucket } from "../src/http/rate-limit";
import { expectProblem, PASSWORD, postJson, randomIp, uniqueEmail } from "./helpers";

// wrangler.toml: 60 attempts per IP and 10 per account, per 60 seconds.
const login = (email: string, ip: string) =>
  postJson("/auth/login", { email, password: PASSWORD }, { "CF-Connecting-IP": ip });

/**
 * Sends attempts until one is refused; returns it and how many got through
 * first. The limiter counts per 60-second window, so a run that straddles a
 * window boundary starts counting again: allow for two windows.
 */
async function exhaust(send: () => Promise<Response>, limit: number) {
  let admitted = 0;
  for (let i = 0; i < 2 * limit + 2; i++) {
    const response = await send();
    if (response.status === 429) return { response, admitted };
    admitted++;
  }
  throw new Error(`no 429 after ${2 * limit + 2} attempts`);
}

describe("brute-force limits", () => {
  it("limits login attempts per account, whatever the client IP", async () => {
    const email = uniqueEmail("target");
    const { response, admitted } = await exhaust(() => login(email, randomIp()), 10);
    expect(admitted).toBeGreaterThanOrEqual(10);
    await expectProblem(response, 429, "rate_limited");
  });

  it("limits attempts per client IP, whatever the account", async () => {
    const ip = randomIp();
    const { response, admitted } = await exhaust(() => login(uniqueEmail(), ip), 60);
    expect(admitted).toBeGreaterThanOrEqual(60);
    expect(response.headers.get("Retry-After")).toBe("60");
    await expectProblem(response, 429, "rate_limited");
  });

  it("counts signup and refresh against the same per-IP budget", async () => {
    const ip = randomIp();
    const refresh = () =>
      postJson("/auth/refresh", { refresh_token: "x" }, { "CF-Connecting-IP": ip });
    await exhaust(refresh, 60);

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
    const email = uniqueEmail("limited");
    const attempt = () =>
      postJson(path, { email, password: PASSWORD }, { "CF-Connecting-IP": randomIp() });
    await exhaust(attempt, 10);

    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    await expectProblem(await attempt(), 429, "rate_limited");
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
    let id = 0;
    await exhaust(() => login(uniqueEmail(), `2001:db8:77:1::${(++id).toString(16)}`), 60);
    const response = await login(uniqueEmail(), "2001:db8:77:1:ffff:ffff:ffff:ffff");
    await expectProblem(response, 429, "rate_limited");
  });
});
