// Creates signing keys for edge-auth with Node's WebCrypto. Shared by the
// local setup, the key rotation command and the test configuration.

import { webcrypto } from "node:crypto";

const { subtle } = webcrypto;

/** What each algorithm edge-auth signs with needs from WebCrypto, and keeps of the JWK. */
const ALGORITHMS = {
  EdDSA: { params: { name: "Ed25519" }, members: ["kty", "crv", "x", "d"] },
  ES256: { params: { name: "ECDSA", namedCurve: "P-256" }, members: ["kty", "crv", "x", "y", "d"] },
  RS256: {
    params: {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    members: ["kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"],
  },
};

/** The algorithms `generateSigningKey` can make keys for; EdDSA is the default. */
export const KEY_ALGORITHMS = Object.keys(ALGORITHMS);

/** A new private JWK for `alg` (EdDSA by default) with a dated, unique `kid`. */
export async function generateSigningKey(now = new Date(), alg = "EdDSA") {
  const spec = ALGORITHMS[alg];
  if (!spec) throw new Error(`unknown algorithm ${alg}: use one of ${KEY_ALGORITHMS.join(", ")}`);
  const pair = await subtle.generateKey(spec.params, true, ["sign", "verify"]);
  const jwk = await subtle.exportKey("jwk", pair.privateKey);
  const day = now.toISOString().slice(0, 10);
  const suffix = Buffer.from(webcrypto.getRandomValues(new Uint8Array(4))).toString("hex");
  const members = Object.fromEntries(spec.members.map((name) => [name, jwk[name]]));
  return { ...members, kid: `${day}-${suffix}`, alg };
}

/** A random pepper for password hashing: 32 bytes, base64url. */
export function generatePepper() {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
