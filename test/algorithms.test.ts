// Every signing algorithm edge-auth accepts in JWT_SIGNING_KEYS works end to
// end, and none of them opens a way around "the key decides the algorithm".

import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config";
import worker from "../src/index";
import { loadKeySet, SUPPORTED_ALGORITHMS } from "../src/keys";
import { signAccessToken, TokenError, verifyAccessToken } from "../src/tokens/access";
import { createVerifier } from "../src/verifier/index";
import { BASE, PASSWORD, randomIp, uniqueEmail } from "./helpers";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];

async function privateJwk(alg: string, kid = `test-${alg}`): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg };
}

const claimsFor = { sub: "user-1", sid: "session-1", email: "a@example.com", roles: ["user"] };
const settings = { issuer: "https://auth.test", audience: "edge-auth", ttl: 900 };

describe.each(SUPPORTED_ALGORITHMS)("%s signing keys", (alg) => {
  it("sign tokens that verify, and publish no private member", async () => {
    const keys = await loadKeySet(JSON.stringify({ keys: [await privateJwk(alg)] }));
    const now = Math.floor(Date.now() / 1000);
    const token = await signAccessToken(keys.signer, claimsFor, { ...settings, now });

    const header = JSON.parse(atob(token.split(".")[0] ?? "")) as { alg: string };
    expect(header.alg).toBe(alg);
    const claims = await verifyAccessToken(token, {
      ...settings,
      clockTolerance: 30,
      keys: keys.verifiers,
    });
    expect(claims).toMatchObject(claimsFor);

    const [published] = keys.publicJwks.keys;
    expect(published).toMatchObject({ alg, use: "sig" });
    for (const member of PRIVATE_MEMBERS) expect(published).not.toHaveProperty(member);

    // Other Workers check it with edge-auth/verify and the published key alone.
    const verifier = createVerifier({ ...settings, keys: keys.publicJwks.keys });
    expect(await verifier.verify(token)).toMatchObject(claimsFor);
  });
});

describe("a key whose private and public parts come from two keys", () => {
  it.each(SUPPORTED_ALGORITHMS)(
    "is refused at startup (%s), wherever it is in the set",
    async (alg) => {
      const one = await privateJwk(alg, "one");
      const other = await privateJwk(alg, "other");
      // The private member(s) of one key with the public ones of another.
      const privateOf = (jwk: JWK) =>
        Object.fromEntries(Object.entries(jwk).filter(([name]) => PRIVATE_MEMBERS.includes(name)));
      const mixed = { ...other, ...privateOf(one), kid: "mixed" };
      for (const keys of [[mixed], [one, mixed]]) {
        const loading = loadKeySet(JSON.stringify({ keys }));
        await expect(loading).rejects.toThrow(ConfigError);
        // WebCrypto itself refuses a mismatched EC key on import; the others need the check.
        await expect(loading).rejects.toThrow(/not one key pair|could not be imported/);
      }
    },
  );
});

describe("an RSA key whose private exponent cannot sign", () => {
  it("is refused at startup, not at the first login", async () => {
    const { kty, n, e, d = "", kid, alg } = await privateJwk("RS256", "broken");
    // Without the CRT members WebCrypto signs with d itself, which is now out of range.
    const broken = { kty, n, e, d: "_".repeat(d.length), kid, alg };
    const loading = loadKeySet(JSON.stringify({ keys: [broken] }));
    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(/not one key pair|could not be imported/);
  });
});

describe("edge-auth/verify given a JWKS that repeats a kid", () => {
  it("keeps the first key of that kid", async () => {
    const first = await privateJwk("EdDSA", "dup");
    const second = await privateJwk("RS256", "dup");
    const firstSet = await loadKeySet(JSON.stringify({ keys: [first] }));
    const secondSet = await loadKeySet(JSON.stringify({ keys: [second] }));
    const verifier = createVerifier({
      ...settings,
      keys: [...firstSet.publicJwks.keys, ...secondSet.publicJwks.keys],
    });
    const now = Math.floor(Date.now() / 1000);
    const sign = (keys: typeof firstSet) =>
      signAccessToken(keys.signer, claimsFor, { ...settings, now });
    await expect(verifier.verify(await sign(firstSet))).resolves.toMatchObject(claimsFor);
    await expect(verifier.verify(await sign(secondSet))).rejects.toThrow(TokenError);
  });
});

describe("a key set mixing algorithms (rotating from one to another)", () => {
  it("verifies each key's tokens, refuses one key's token under another's kid", async () => {
    const rsa = await privateJwk("RS256", "new-rs");
    const ed = await privateJwk("EdDSA", "old-ed");
    const now = Math.floor(Date.now() / 1000);
    const options = { ...settings, now };
    const mixed = await loadKeySet(JSON.stringify({ keys: [rsa, ed] }));
    const oldOnly = await loadKeySet(JSON.stringify({ keys: [ed] }));
    const verify = (token: string) =>
      verifyAccessToken(token, { ...settings, clockTolerance: 30, keys: mixed.verifiers });

    await expect(
      verify(await signAccessToken(mixed.signer, claimsFor, options)),
    ).resolves.toBeTruthy();
    await expect(
      verify(await signAccessToken(oldOnly.signer, claimsFor, options)),
    ).resolves.toBeTruthy();

    // Signed by the RSA key, but its header names the Ed25519 key.
    const [, payload, signature] = (await signAccessToken(mixed.signer, claimsFor, options)).split(
      ".",
    );
    const header = btoa(JSON.stringify({ alg: "RS256", kid: "old-ed", typ: "at+jwt" }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    await expect(verify(`${header}.${payload}.${signature}`)).rejects.toThrow(
      "algorithm does not match the key",
    );
  });
});

describe("RS256 keys", () => {
  it("run the whole flow over HTTP: signup, /auth/me, JWKS", async () => {
    const rsEnv = {
      ...env,
      JWT_SIGNING_KEYS: JSON.stringify({ keys: [await privateJwk("RS256")] }),
    };
    const send = (path: string, init: RequestInit = {}) => {
      const request = new Request(`${BASE}${path}`, init);
      request.headers.set("CF-Connecting-IP", randomIp());
      return worker.fetch(request, rsEnv, createExecutionContext());
    };

    const signup = await send("/auth/signup", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: uniqueEmail("rs256"), password: PASSWORD }),
    });
    expect(signup.status).toBe(201);
    const { access_token } = (await signup.json()) as { access_token: string };
    expect(JSON.parse(atob(access_token.split(".")[0] ?? ""))).toMatchObject({ alg: "RS256" });

    const me = await send("/auth/me", { headers: { Authorization: `Bearer ${access_token}` } });
    expect(me.status).toBe(200);

    const jwks = (await (await send("/.well-known/jwks.json")).json()) as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256" });
    for (const member of PRIVATE_MEMBERS) expect(jwks.keys[0]).not.toHaveProperty(member);
  });

  it("are refused under 2048 bits", async () => {
    const small = await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    );
    const jwk = { ...(await exportJWK((small as CryptoKeyPair).privateKey)), kid: "small" };
    const secret = JSON.stringify({ keys: [{ ...jwk, alg: "RS256" }] });
    await expect(loadKeySet(secret)).rejects.toThrow(ConfigError);
    await expect(loadKeySet(secret)).rejects.toThrow("under 2048 bits");
  });

  it("cannot be used as an HMAC secret (HS256 keyed with the public key)", async () => {
    const keys = await loadKeySet(JSON.stringify({ keys: [await privateJwk("RS256", "rs")] }));
    const publicKey = JSON.stringify(keys.publicJwks.keys[0]);
    const now = Math.floor(Date.now() / 1000);
    // The classic confusion: the public key's bytes, which anyone has, as an HMAC secret.
    const forged = await new SignJWT({ ...claimsFor, jti: "j" })
      .setProtectedHeader({ alg: "HS256", kid: "rs", typ: "at+jwt" })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(publicKey));
    const verifying = verifyAccessToken(forged, {
      ...settings,
      clockTolerance: 30,
      keys: keys.verifiers,
    });
    // Refused twice over: HS256 is no algorithm of the key set, nor of this key.
    await expect(verifying).rejects.toThrow(TokenError);
    await expect(verifying).rejects.toThrow("ERR_JOSE_ALG_NOT_ALLOWED");
  });
});
