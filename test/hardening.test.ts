// Faults found by trying to break the service, each pinned by a test.

import { describe, expect, it, vi } from "vitest";
import { log } from "../src/log";
import { isCanonicalBase64Url } from "../src/tokens/access";
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
import { signToken, validClaims } from "./tokens";

const now = () => Math.floor(Date.now() / 1000);

describe("Unicode that is not text", () => {
  it.each([
    ["email", { email: "c1\ud800@example.com", password: PASSWORD }],
    ["password", { email: uniqueEmail(), password: "aaaaaaa\ud800" }],
  ])("refuses a lone surrogate in the %s with 400", async (_, body) => {
    await expectProblem(await postJson("/auth/signup", body), 400, "invalid_request");
    await expectProblem(await postJson("/auth/login", body), 400, "invalid_request");
  });
});

describe("look-alike emails", () => {
  it("treats composed, decomposed and full-width spellings as one account", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    await signUp(`\u00fa-${tag}@example.com`);
    for (const variant of [`u\u0301-${tag}@example.com`, `\uff55\u0301-${tag}@example.com`]) {
      const response = await postJson("/auth/signup", { email: variant, password: PASSWORD });
      await expectProblem(response, 409, "email_taken");
    }
  });

  it.each([
    ["a zero-width space", "u\u200bser@example.com"],
    ["a right-to-left override", "u\u202eser@example.com"],
    ["a soft hyphen", "u\u00adser@example.com"],
    ["an empty domain label", "user@example..com"],
    ["a domain of dots", "user@....."],
  ])("refuses an email with %s", async (_, email) => {
    await expectProblem(
      await postJson("/auth/signup", { email, password: PASSWORD }),
      400,
      "invalid_email",
    );
  });
});

describe("one token, one spelling", () => {
  it("refuses base64 padding after the token", async () => {
    const token = await signToken();
    const response = await call("/auth/me", { headers: { Authorization: `Bearer ${token}==` } });
    await expectProblem(response, 401, "invalid_token");
  });

  it("refuses a signature spelled with different spare bits", async () => {
    const token = await signToken();
    // 64 signature bytes leave 4 spare bits in the last base64url character.
    const last = token.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    await expectProblem(await me(`${token.slice(0, -1)}${twin}`), 401, "invalid_token");
  });
});

describe("token lifetimes", () => {
  it("refuses a token issued a day in the future", async () => {
    const token = await signToken(validClaims({ iat: now() + 86_400, exp: now() + 86_600 }));
    await expectProblem(await me(token), 401, "invalid_token");
  });

  it("refuses a token that lives longer than the issuer grants", async () => {
    const token = await signToken(validClaims({ iat: now(), exp: now() + 100 * 365 * 86_400 }));
    await expectProblem(await me(token), 401, "invalid_token");
  });
});

describe("reusing a token after logout", () => {
  it("says invalid_grant, not 'use the newer token', even inside the grace window", async () => {
    const first = await signUp();
    const second = (await (
      await postJson("/auth/refresh", { refresh_token: first.refresh_token })
    ).json()) as TokenPair;
    expect((await postJson("/auth/logout", { refresh_token: second.refresh_token })).status).toBe(
      204,
    );

    const response = await postJson("/auth/refresh", { refresh_token: first.refresh_token });
    await expectProblem(response, 401, "invalid_grant");
  });
});

describe("log redaction", () => {
  it("hides text under secret-sounding names but keeps flags", () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: string) => {
      lines.push(line);
    });
    log("info", "probe", { peppered: true, refresh_token: "abc", user_id: "u1" });
    spy.mockRestore();
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      peppered: true,
      refresh_token: "[redacted]",
      user_id: "u1",
    });
  });
});

describe("isCanonicalBase64Url", () => {
  it.each([
    ["", true],
    ["AAAA", true],
    ["AA", true], // one byte: 4 spare bits, all zero
    ["AB", false], // one byte with a spare bit set
    ["AAA", true], // two bytes: 2 spare bits, zero
    ["AAB", false],
    ["AAE", true], // 'E' = 4: spare bits zero
    ["A", false], // no whole byte
    ["AA==", false], // padding is not base64url in a JWT
    ["A+/A", false], // base64, not base64url
  ])("%j -> %s", (part, expected) => {
    expect(isCanonicalBase64Url(part)).toBe(expected);
  });
});
