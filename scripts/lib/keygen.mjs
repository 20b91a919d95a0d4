// Creates signing keys for edge-auth with Node's WebCrypto. Shared by the
// local setup, the key rotation command and the test configuration.

import { webcrypto } from "node:crypto";

const { subtle } = webcrypto;

/** A new Ed25519 private JWK with a dated, unique `kid`. */
export async function generateSigningKey(now = new Date()) {
  const pair = await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const jwk = await subtle.exportKey("jwk", pair.privateKey);
  const day = now.toISOString().slice(0, 10);
  const suffix = Buffer.from(webcrypto.getRandomValues(new Uint8Array(4))).toString("hex");
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d, kid: `${day}-${suffix}`, alg: "EdDSA" };
}

/** A random pepper for password hashing: 32 bytes, base64url. */
export function generatePepper() {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
