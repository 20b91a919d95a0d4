/**
 * Signing keys. The `JWT_SIGNING_KEYS` secret holds a JWK set of private keys;
 * the first key signs, every key verifies, and the public halves are what
 * `/.well-known/jwks.json` publishes. Rotation is therefore: add a new key at
 * the end, wait for JWKS caches to turn over, move it to the front, and later
 * drop the old one once its last tokens have expired (see README).
 *
 * Keys are imported once per isolate: importing costs more than verifying.
 */

import { importJWK, type JWK } from "jose";
import { ConfigError } from "./config";

/**
 * Algorithms a key may carry. EdDSA is the default; RS256 verifies about three
 * times faster but signs twenty times slower with longer tokens (README,
 * "Security choices", and bench/RESULTS.md have the numbers).
 */
export const SUPPORTED_ALGORITHMS = ["EdDSA", "ES256", "RS256"] as const;

/** Smaller RSA keys are breakable; jose refuses them too, but only once they are used. */
const RSA_MIN_BITS = 2048;
export type SigningAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

/** Members of a private JWK that must never be published. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

export interface VerificationKey {
  kid: string;
  alg: SigningAlgorithm;
  key: CryptoKey;
}

export interface KeySet {
  signer: { kid: string; alg: SigningAlgorithm; key: CryptoKey };
  /** Every key that verifies, by `kid`. */
  verifiers: Map<string, VerificationKey>;
  /** The public JWK set, ready to serve. */
  publicJwks: { keys: JWK[] };
}

/** True for an algorithm edge-auth signs and verifies with. */
export const isAlgorithm = (alg: unknown): alg is SigningAlgorithm =>
  SUPPORTED_ALGORITHMS.includes(alg as SigningAlgorithm);

/** Strips private members and marks the key for signature use. */
export function publicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete copy[member];
  delete copy.key_ops;
  return { ...copy, use: "sig" } as JWK;
}

/**
 * True when what the private half signs, the public half verifies. A JWK whose
 * members come from two different keys imports without complaint, and would
 * otherwise only show at the first login (a signing error) or, worse, as
 * tokens that no verifier accepts. Once per key per isolate (~1 ms for RSA).
 */
async function halvesMatch(alg: SigningAlgorithm, privateKey: CryptoKey, publicKey: CryptoKey) {
  const probe = new TextEncoder().encode("edge-auth key check");
  const params = WEBCRYPTO_SIGNATURE[alg];
  try {
    const signature = await crypto.subtle.sign(params, privateKey, probe);
    return await crypto.subtle.verify(params, publicKey, signature, probe);
  } catch {
    return false;
  }
}

const WEBCRYPTO_SIGNATURE: Record<SigningAlgorithm, string | SubtleCryptoSignAlgorithm> = {
  EdDSA: "Ed25519",
  ES256: { name: "ECDSA", hash: "SHA-256" },
  RS256: "RSASSA-PKCS1-v1_5",
};

const modulusBits = (key: CryptoKey) =>
  (key.algorithm as Partial<CryptoKeyRsaKeyAlgorithm>).modulusLength ?? 0;

function parseKeyList(secret: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret);
  } catch {
    throw new ConfigError("JWT_SIGNING_KEYS", "is not valid JSON");
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError("JWT_SIGNING_KEYS", 'must be a JWK set: {"keys": [ ... ]}');
  }
  return keys as JWK[];
}

/**
 * Parses and imports the key set; throws ConfigError naming the bad key.
 *
 * @example
 * const keys = await loadKeySet(env.JWT_SIGNING_KEYS);
 */
export async function loadKeySet(secret: string | undefined): Promise<KeySet> {
  if (!secret) throw new ConfigError("JWT_SIGNING_KEYS", "is missing");
  const jwks = parseKeyList(secret);

  const verifiers = new Map<string, VerificationKey>();
  let signer: KeySet["signer"] | undefined;
  for (const [index, jwk] of jwks.entries()) {
    const where = `key ${index}`;
    const { kid, alg } = jwk;
    if (typeof kid !== "string" || kid === "") {
      throw new ConfigError("JWT_SIGNING_KEYS", `${where} has no "kid"`);
    }
    if (verifiers.has(kid)) throw new ConfigError("JWT_SIGNING_KEYS", `repeats kid "${kid}"`);
    if (!isAlgorithm(alg)) {
      throw new ConfigError("JWT_SIGNING_KEYS", `${where} needs "alg" EdDSA, ES256 or RS256`);
    }
    if (typeof jwk.d !== "string") {
      throw new ConfigError("JWT_SIGNING_KEYS", `${where} ("${kid}") is not a private key`);
    }

    let key: CryptoKey;
    let privateKey: CryptoKey;
    try {
      key = (await importJWK(publicJwk(jwk), alg)) as CryptoKey;
      privateKey = (await importJWK(jwk, alg)) as CryptoKey;
    } catch {
      throw new ConfigError("JWT_SIGNING_KEYS", `${where} ("${kid}") could not be imported`);
    }
    if (!(await halvesMatch(alg, privateKey, key))) {
      throw new ConfigError(
        "JWT_SIGNING_KEYS",
        `${where} ("${kid}"): its private and public parts are not one key pair`,
      );
    }
    if (index === 0) signer = { kid, alg, key: privateKey };
    if (alg === "RS256" && modulusBits(key) < RSA_MIN_BITS) {
      throw new ConfigError(
        "JWT_SIGNING_KEYS",
        `${where} ("${kid}") is under ${RSA_MIN_BITS} bits`,
      );
    }
    verifiers.set(kid, { kid, alg, key });
  }

  if (!signer) throw new ConfigError("JWT_SIGNING_KEYS", "has no signing key");
  return { signer, verifiers, publicJwks: { keys: jwks.map(publicJwk) } };
}
