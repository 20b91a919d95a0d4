// Security tests for access-token verification, through HTTP on /auth/me.

import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { CompactEncrypt, type JWK, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toBase64Url, utf8 } from "../src/encoding";
import worker from "../src/index";
import { publicJwk } from "../src/keys";
import { BASE, call, expectInvalidToken, me } from "./helpers";
import { rawToken, signingJwk, signRaw, signToken, validClaims } from "./tokens";

const now = () => Math.floor(Date.now() / 1000);

afterEach(() => {
  vi.useRealTimers();
});

const expectRejected = expectInvalidToken;

/** Freezes the clock the service reads at `seconds` since the epoch. */
function freezeAt(seconds: number) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(seconds * 1000);
}

describe("algorithm confusion", () => {
  it.each(["HS256", "HS384", "HS512"])(
    "refuses %s signed with the published public key as the secret",
    async (alg) => {
      const secret = utf8(JSON.stringify(publicJwk(signingJwk)));
      const token = await new SignJWT(validClaims())
        .setProtectedHeader({ alg, kid: signingJwk.kid, typ: "at+jwt" })
        .sign(secret);
      await expectRejected(await me(token));

      const x = utf8(signingJwk.x ?? "");
      const withX = await new SignJWT(validClaims())
        .setProtectedHeader({ alg, kid: signingJwk.kid, typ: "at+jwt" })
        .sign(x);
      await expectRejected(await me(withX));
    },
  );

  it('refuses alg "none" with and without a signature part', async () => {
    const header = { alg: "none", typ: "at+jwt", kid: signingJwk.kid };
    await expectRejected(await me(rawToken(header, validClaims())));
    await expectRejected(await me(rawToken(header, validClaims(), "AAAA")));
  });

  it("refuses a header whose alg differs from the key the kid names", async () => {
    const [, payload, signature] = (await signToken()).split(".");
    const header = toBase64Url(
      utf8(JSON.stringify({ alg: "ES256", kid: signingJwk.kid, typ: "at+jwt" })),
    );
    await expectRejected(await me(`${header}.${payload}.${signature}`));
  });

  it("refuses an unknown kid and a missing kid", async () => {
    await expectRejected(await me(await signToken(validClaims(), { kid: "no-such-key" })));
    await expectRejected(await me(await signToken(validClaims(), { kid: undefined })));
  });

  it("refuses an unknown crit extension", async () => {
    const header = {
      alg: "EdDSA",
      kid: signingJwk.kid,
      typ: "at+jwt",
      crit: ["urn:example:ext"],
      "urn:example:ext": 1,
    };
    const token = await signRaw(header, JSON.stringify(validClaims()));
    await expectRejected(await me(token));
  });

  it("refuses a JWE", async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const jwe = await new CompactEncrypt(utf8(JSON.stringify(validClaims())))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "at+jwt" })
      .encrypt(key);
    await expectRejected(await me(jwe));
  });

  it.each([["JWT"], ["jwt"], ["application/jwt"], [undefined]])(
    "refuses typ %j (only at+jwt is an access token)",
    async (typ) => {
      await expectRejected(await me(await signToken(validClaims(), { typ })));
    },
  );
});

describe("claims", () => {
  it.each(["iss", "aud", "sub", "iat", "exp", "jti", "sid"])("requires %s", async (claim) => {
    const claims = validClaims();
    delete claims[claim];
    await expectRejected(await me(await signToken(claims)));
  });

  it("refuses exp = 0 as expired", async () => {
    await expectRejected(await me(await signToken(validClaims({ exp: 0 }))), "expired");
  });

  it.each([
    ["exp", "9999999999"],
    ["exp", null],
    ["iat", "now"],
    ["nbf", "0"],
    ["sub", 42],
    ["roles", "admin"],
  ])("refuses %s = %j", async (claim, value) => {
    await expectRejected(await me(await signToken(validClaims({ [claim]: value }))));
  });

  it.each(["exp", "iat", "nbf"])("refuses %s = 1e999 (parses to Infinity)", async (claim) => {
    // JSON.stringify cannot produce 1e999, so write the claim into the text.
    const claims = validClaims({ [claim]: 123 });
    const payloadJson = JSON.stringify(claims).replace(`"${claim}":123`, `"${claim}":1e999`);
    const header = { alg: "EdDSA", kid: signingJwk.kid, typ: "at+jwt" };
    await expectRejected(await me(await signRaw(header, payloadJson)));
  });
});

describe("ids that would break a KV key (found by the fuzz test)", () => {
  it.each([
    ["sid", "a broken escape", "%E0%A4%A"],
    ["sid", "600 characters", "x".repeat(600)],
    ["sub", "a path", "a/b?c"],
  ])("refuses a %s holding %s with 401 where revocation is checked", async (claim, _, value) => {
    const token = await signToken(validClaims({ [claim]: value }));
    const response = await call("/auth/sessions", {
      headers: { Authorization: `Bearer ${token}` },
    });
    await expectRejected(response);
  });
});

describe("clock tolerance (30 s) at both edges", () => {
  const t0 = 2_000_000_000;

  it("accepts exp 29 s in the past and refuses it 30 s in the past", async () => {
    const inside = await signToken(validClaims({ iat: t0 - 600, exp: t0 - 29 }));
    const outside = await signToken(validClaims({ iat: t0 - 600, exp: t0 - 30 }));
    freezeAt(t0);
    expect((await me(inside)).status).toBe(200);
    await expectRejected(await me(outside), "expired");
  });

  it("accepts nbf 30 s in the future and refuses it 31 s in the future", async () => {
    const inside = await signToken(validClaims({ iat: t0, nbf: t0 + 30, exp: t0 + 600 }));
    const outside = await signToken(validClaims({ iat: t0, nbf: t0 + 31, exp: t0 + 600 }));
    freezeAt(t0);
    expect((await me(inside)).status).toBe(200);
    await expectRejected(await me(outside));
  });
});

describe("the Authorization header", () => {
  const withHeader = (value: string) => call("/auth/me", { headers: { Authorization: value } });

  it.each([
    ["Basic dXNlcjpwYXNz"],
    ["Bearer"],
    ["Bearer "],
    ["Bearer a b"],
    ["Bearer\ttoken"],
    ["Token abc"],
    ['Bearer "quoted"'],
  ])("refuses %j with 401", async (value) => {
    await expectRejected(await withHeader(value), "malformed");
  });

  it("refuses an oversized header with 401, not 500", async () => {
    await expectRejected(await withHeader(`Bearer ${"a".repeat(10_000)}`), "malformed");
  });

  it("refuses two tokens in one header", async () => {
    const token = await signToken();
    await expectRejected(await withHeader(`Bearer ${token}, Bearer ${token}`), "malformed");
  });
});

describe("key rotation", () => {
  const retired = JSON.parse(env.TEST_RETIRED_KEY) as JWK;

  /** Calls /auth/me on a Worker whose key set is `keys`. */
  async function meWithKeys(keys: JWK[], token: string) {
    const rotatedEnv = { ...env, JWT_SIGNING_KEYS: JSON.stringify({ keys }) };
    const request = new Request(`${BASE}/auth/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return worker.fetch(request, rotatedEnv, createExecutionContext());
  }

  it("signs with the first key while older keys in the set still verify", async () => {
    const oldToken = await signToken(validClaims(), {}, retired);
    const newToken = await signToken(validClaims(), {}, signingJwk);

    expect((await meWithKeys([signingJwk, retired], oldToken)).status).toBe(200);
    expect((await meWithKeys([signingJwk, retired], newToken)).status).toBe(200);
  });

  it("publishes every key of the set and signs new tokens with the first", async () => {
    const rotatedEnv = {
      ...env,
      JWT_SIGNING_KEYS: JSON.stringify({ keys: [retired, signingJwk] }),
    };
    const ctx = createExecutionContext();
    const jwks = await worker.fetch(new Request(`${BASE}/.well-known/jwks.json`), rotatedEnv, ctx);
    const kids = ((await jwks.json()) as { keys: JWK[] }).keys.map((key) => key.kid);
    expect(kids).toEqual([retired.kid, signingJwk.kid]);
  });

  it("refuses tokens of a key removed from the set", async () => {
    const oldToken = await signToken(validClaims({ exp: now() + 600 }), {}, retired);
    await expectRejected(await meWithKeys([signingJwk], oldToken));
  });
});
