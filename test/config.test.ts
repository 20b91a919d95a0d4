import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../src/config";
import worker from "../src/index";
import { loadKeySet } from "../src/keys";
import { BASE, expectProblem } from "./helpers";

const vars = { ...env } as unknown as Record<string, unknown>;

describe("readConfig", () => {
  it("reads the shipped wrangler.toml values", () => {
    expect(readConfig(vars)).toMatchObject({
      issuer: "http://127.0.0.1:8787",
      audience: "edge-auth",
      accessTokenTtl: 900,
      refreshTokenTtl: 2_592_000,
      pbkdf2Iterations: 100_000,
      clockTolerance: 30,
    });
  });

  it.each([
    ["ISSUER", "not a url"],
    ["ISSUER", "ftp://example.com"],
    ["AUDIENCE", "  "],
    ["ACCESS_TOKEN_TTL", "15m"],
    ["ACCESS_TOKEN_TTL", "86400"],
    ["ACCESS_TOKEN_TTL", "-1"],
    ["REFRESH_TOKEN_TTL", "1e9"],
    // Above the production cap: local workerd would accept it, Cloudflare would not.
    ["PBKDF2_ITERATIONS", "600000"],
    ["PBKDF2_ITERATIONS", "1000"],
    ["REFRESH_REUSE_GRACE", "3.5"],
    ["CLOCK_TOLERANCE", ""],
    ["CORS_ORIGINS", "*"],
    ["CORS_ORIGINS", "https://app.example.com/path"],
    ["CORS_ORIGINS", "app.example.com"],
  ])("names %s when it is %j", (name, value) => {
    expect(() => readConfig({ ...vars, [name]: value })).toThrow(
      expect.objectContaining({ name: "ConfigError", variable: name }),
    );
  });

  it.each([
    ["not json", "is not valid JSON"],
    ['{"keys": []}', "must be a JWK set"],
    ['{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AA", "alg": "EdDSA"}]}', 'has no "kid"'],
    [
      '{"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "a", "alg": "HS256"}]}',
      "EdDSA, ES256 or RS256",
    ],
  ])("rejects the key set %j", async (secret, message) => {
    await expect(loadKeySet(secret)).rejects.toThrow(ConfigError);
    await expect(loadKeySet(secret)).rejects.toThrow(message);
  });

  it("rejects a key set that holds only public keys", async () => {
    const [key] = (JSON.parse(env.JWT_SIGNING_KEYS) as { keys: Record<string, string>[] }).keys;
    const publicOnly = JSON.stringify({ keys: [{ ...key, d: undefined }] });
    await expect(loadKeySet(publicOnly)).rejects.toThrow("is not a private key");
  });
});

describe("PROTECTED_PATHS", () => {
  it("parses patterns and roles, most specific first", () => {
    const config = readConfig({ ...vars, PROTECTED_PATHS: "/app/*, /app/admin/*=admin, /r.html" });
    expect(config.protectedPaths.map((rule) => [rule.prefix, rule.wildcard, rule.role])).toEqual([
      ["/app/admin/", true, "admin"],
      ["/r.html", false, null],
      ["/app/", true, null],
    ]);
  });

  it.each(["app/*", "/app/*=", "/a b/*", "//app/*", "/app/*=ad min"])(
    "refuses the pattern %j",
    (pattern) => {
      expect(() => readConfig({ ...vars, PROTECTED_PATHS: pattern })).toThrow(
        expect.objectContaining({ variable: "PROTECTED_PATHS" }),
      );
    },
  );

  it("is covered by run_worker_first in wrangler.toml, or the gate would be skipped", () => {
    const line = /^run_worker_first\s*=\s*(\[.*\])/m.exec(env.TEST_WRANGLER_TOML)?.[1] ?? "[]";
    const workerFirst = JSON.parse(line) as string[];
    for (const rule of readConfig(vars).protectedPaths) {
      expect(workerFirst).toContain(rule.pattern);
    }
  });
});

describe("a misconfigured Worker", () => {
  it("answers 503 problem+json without internals", async () => {
    const broken = { ...env, ACCESS_TOKEN_TTL: "15 minutes" };
    const response = await worker.fetch(
      new Request(`${BASE}/.well-known/jwks.json`),
      broken,
      createExecutionContext(),
    );
    const body = await expectProblem(response, 503, "service_misconfigured");
    expect(JSON.stringify(body)).not.toContain("ACCESS_TOKEN_TTL");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});
